//go:build !linux

package s3_test

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }
