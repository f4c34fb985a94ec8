#pragma once
// WindowedGlobal: the stats-thread half most detectors share -- one sliding WindowTable of
// per-key tallies, sized and reconfigured from the detector's own `[detect.<kind>]` section
// (`Section`), fed from the workers' TableDelta parts. A detector adds only evaluate().
#include <cstdint>

#include "config/config.hpp"
#include "detect/detector.hpp"
#include "detect/table_delta.hpp"
#include "detect/window_table.hpp"

namespace nms::detect {

template <class Key, class Tally, class Config, Config config::DetectConfig::*Section>
class WindowedGlobal : public GlobalDetector {
 public:
    WindowedGlobal(AlertKind kind, const DetectorSetup& s)
        : GlobalDetector(kind), window_(s.config.max_keys, (s.config.*Section).window_s) {}
    void configure(const config::DetectConfig& cfg) override {
        cfg_ = cfg.*Section;
        window_.set_window(cfg_.window_s);
    }
    [[nodiscard]] const config::DetectorCommon& common() const noexcept override { return cfg_; }
    void absorb(const DetectorDelta& part, int64_t second) override { absorb_table(part, second, window_); }

 protected:
    Config cfg_;
    WindowTable<Key, Tally> window_;
};

}  // namespace nms::detect
