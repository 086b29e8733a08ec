// Command vexcheck reads an OpenVEX document with go-vex, OpenVEX's own Go library (the one
// vexctl is built on), checks every statement with go-vex's Validate, and prints, for each
// PRODUCT=VULNERABILITY argument, the status of the statement go-vex finds in effect for them
// ("none" when none applies). The tests of Rebuild's VEX use it as an independent consumer.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/openvex/go-vex/pkg/vex"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vexcheck FILE [PRODUCT=VULNERABILITY]...")
		os.Exit(2)
	}
	doc, err := vex.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot read:", err)
		os.Exit(1)
	}
	for i := range doc.Statements {
		if err := doc.Statements[i].Validate(); err != nil {
			fmt.Fprintf(os.Stderr, "statement %d is invalid: %v\n", i, err)
			os.Exit(1)
		}
	}
	for _, arg := range os.Args[2:] {
		// The last "=": a purl's qualifiers hold some too.
		at := strings.LastIndex(arg, "=")
		if at < 0 {
			fmt.Fprintln(os.Stderr, "not PRODUCT=VULNERABILITY:", arg)
			os.Exit(2)
		}
		product, vuln := arg[:at], arg[at+1:]
		status := "none"
		if s := doc.EffectiveStatement(product, vuln); s != nil {
			status = string(s.Status)
		}
		fmt.Printf("%s %s %s\n", product, vuln, status)
	}
}
