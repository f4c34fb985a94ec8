// placeholder: replaced by the engine wiring (lead engineer)
int main() { return 0; }
