// Command pause is the sandbox container of every pod on the test node: it holds the pod's namespaces, reaps the
// children it inherits as PID 1, and exits on SIGTERM or SIGINT, as Kubernetes' own pause does.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const version = "1"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Println("pause " + version)
		return
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
