// Command greet greets whoever is named on its command line.
package main

import (
	"fmt"
	"os"
	"strings"
)

var version = "dev"

func main() {
	who := "world"
	if len(os.Args) > 1 {
		who = strings.Join(os.Args[1:], " ")
	}
	fmt.Printf("greet %s: hello, %s\n", version, who)
}
