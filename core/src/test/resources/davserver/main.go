// Command davserver is the repository server the publish tests upload to: a WebDAV server
// (golang.org/x/net/webdav: PUT, GET, HEAD, MKCOL, PROPFIND, DELETE) on 127.0.0.1 with basic
// authentication, logging every request, so that a test can count what a client sent.
//
// Its PUT is its own, so that it behaves like the servers users publish to:
//   - the body is written to a temporary file and renamed into place when whole (nginx's dav
//     module and the repository managers do the same), so a client killed mid-upload leaves
//     nothing behind;
//   - -autocreate creates missing parent collections (Artifactory, Nexus); without it a PUT
//     under a missing collection is 409 Conflict, as RFC 4918 section 9.7.1 says;
//   - -immutable refuses to replace a file with 400, as a Nexus release repository does
//     ("Repository does not allow updating assets"), except Maven's maven-metadata.xml files.
//
// -checksums sends X-Checksum-Sha256 and X-Checksum-Sha1 with GET and HEAD, as Artifactory does.
// -exit-after-puts N stops the server after its Nth successful PUT: a server that goes down
// halfway through a publish.
// -hold-put REGEXP holds the first PUT whose path matches: it reads the first bytes of the body,
// logs "PUT path HELD" and never answers or stores it, until the client goes; a test kills the
// client then, in the middle of that upload.
package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/webdav"
)

var (
	listen        = flag.String("listen", "127.0.0.1:0", "address to listen on")
	root          = flag.String("root", "", "directory served")
	user          = flag.String("user", "", "basic auth user; empty: no authentication")
	pass          = flag.String("pass", "", "basic auth password")
	logFile       = flag.String("log", "", "request log: one line per request, METHOD PATH STATUS")
	portFile      = flag.String("port-file", "", "written with the port once listening")
	checksums     = flag.Bool("checksums", false, "send X-Checksum-Sha256/Sha1 headers")
	autocreate    = flag.Bool("autocreate", false, "PUT creates missing parent collections")
	immutable     = flag.Bool("immutable", false, "refuse to replace files (maven-metadata.xml excepted)")
	exitAfterPuts = flag.Int("exit-after-puts", 0, "exit after this many successful PUTs (0: never)")
	holdPut       = flag.String("hold-put", "", "hold the first PUT whose path matches this regexp")
)

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) {
	r.status = s
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func main() {
	flag.Parse()
	if *root == "" {
		log.Fatal("-root is required")
	}
	var logMu sync.Mutex
	var logOut io.Writer = io.Discard
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		logOut = f
	}
	dav := &webdav.Handler{FileSystem: webdav.Dir(*root), LockSystem: webdav.NewMemLS()}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	var putMu sync.Mutex
	puts := 0
	down := false
	var hold *regexp.Regexp
	if *holdPut != "" {
		hold = regexp.MustCompile(*holdPut)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &recorder{ResponseWriter: w, status: 200}
		putMu.Lock()
		isDown := down
		putMu.Unlock()
		if isDown {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
			return
		}
		if req.Method == http.MethodPut && authorized(req) {
			putMu.Lock()
			held := hold != nil && hold.MatchString(req.URL.Path)
			if held {
				hold = nil
			}
			putMu.Unlock()
			if held {
				io.ReadFull(req.Body, make([]byte, 64))
				logMu.Lock()
				fmt.Fprintf(logOut, "%s %s HELD\n", req.Method, req.URL.Path)
				logMu.Unlock()
				// The rest of the body, then the end of the connection (Go notices it once the
				// body is read); nothing is stored and no answer is sent.
				io.Copy(io.Discard, req.Body)
				select {
				case <-req.Context().Done():
				case <-time.After(10 * time.Minute):
				}
				return
			}
		}
		serve(rec, req, dav)
		logMu.Lock()
		fmt.Fprintf(logOut, "%s %s %d\n", req.Method, req.URL.Path, rec.status)
		logMu.Unlock()
		if req.Method == http.MethodPut && rec.status/100 == 2 && *exitAfterPuts > 0 {
			putMu.Lock()
			puts++
			if puts >= *exitAfterPuts && !down {
				down = true
				rec.Flush()
				ln.Close()
				go func() {
					time.Sleep(200 * time.Millisecond)
					os.Exit(3)
				}()
			}
			putMu.Unlock()
		}
	})
	if *portFile != "" {
		port := ln.Addr().(*net.TCPAddr).Port
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d\n", port)), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatal(err)
		}
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second}
	err = srv.Serve(ln)
	putMu.Lock()
	stopping := down
	putMu.Unlock()
	if stopping {
		select {}
	}
	log.Fatal(err)
}

func authorized(req *http.Request) bool {
	if *user == "" {
		return true
	}
	u, p, ok := req.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(*user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(*pass)) == 1
}

func serve(w http.ResponseWriter, req *http.Request, dav *webdav.Handler) {
	if !authorized(req) {
		w.Header().Set("WWW-Authenticate", `Basic realm="davserver"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	switch req.Method {
	case http.MethodPut:
		put(w, req)
		return
	case http.MethodGet, http.MethodHead:
		if *checksums {
			addChecksums(w, req)
		}
	}
	dav.ServeHTTP(w, req)
}

// local maps a request path into the served directory; ok is false for a path that escapes it.
func local(p string) (string, bool) {
	clean := path.Clean("/" + p)
	if strings.Contains(clean, "\x00") {
		return "", false
	}
	return filepath.Join(*root, filepath.FromSlash(clean)), true
}

func addChecksums(w http.ResponseWriter, req *http.Request) {
	file, ok := local(req.URL.Path)
	if !ok {
		return
	}
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return
	}
	s256 := sha256.New()
	s1 := sha1.New()
	if _, err := io.Copy(io.MultiWriter(s256, s1), f); err != nil {
		return
	}
	w.Header().Set("X-Checksum-Sha256", hex.EncodeToString(s256.Sum(nil)))
	w.Header().Set("X-Checksum-Sha1", hex.EncodeToString(s1.Sum(nil)))
}

func put(w http.ResponseWriter, req *http.Request) {
	file, ok := local(req.URL.Path)
	if !ok || strings.HasSuffix(req.URL.Path, "/") {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	dir := filepath.Dir(file)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if !*autocreate {
			http.Error(w, "parent collection missing", http.StatusConflict)
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	_, statErr := os.Stat(file)
	existed := statErr == nil
	if existed && *immutable && !strings.HasPrefix(filepath.Base(file), "maven-metadata.xml") {
		http.Error(w, "Repository does not allow updating assets", http.StatusBadRequest)
		return
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, req.Body); err != nil {
		tmp.Close()
		http.Error(w, "upload broken off: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := tmp.Close(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if existed {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
}
