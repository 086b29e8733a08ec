// A registry with the OCI 1.1 referrers API for ReferrersTest: go-containerregistry's registry
// (the one `crane registry serve` runs) with its referrers endpoint switched on, which crane's
// command line does not offer. Distribution's registry, the tests' other one, has no such API.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on")
	flag.Parse()
	l, err := net.Listen("tcp", *address)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.Serve(l, registry.New(registry.WithReferrersSupport(true))))
}
