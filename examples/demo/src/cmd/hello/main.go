// Command hello prints its version, set at build time with -ldflags -X.
package main

import "fmt"

var version = "dev"

func main() {
	fmt.Println("hello " + version)
}
