package s3test

import "syscall"

// procAttr makes the gateway die with the test binary, even when a test
// timeout kills it before TestMain can stop the gateway.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
