//go:build tools

// Package tools pins promtool's module for `go mod tidy`; install.sh builds the command from it.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
