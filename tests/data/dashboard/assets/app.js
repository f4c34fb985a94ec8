console.log("netmonsec test asset");
