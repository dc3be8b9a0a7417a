// redirspec live adapter for Go's net/http client (http.DefaultClient's redirect policy:
// CheckRedirect nil, so at most 10 redirects).
// Usage: fetch-go METHOD URL BODY_FILE|"" HEADERS_JSON_FILE [COUNT]
// COUNT (default 1, at most 5): the request is made that many times in a row through one
// http.Client, each response read to its end.
// Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 5 {
		fail(fmt.Errorf("usage: fetch-go METHOD URL BODY_FILE HEADERS_JSON_FILE [COUNT]"))
	}
	method, url, bodyFile, headersFile := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	count := 1
	if len(os.Args) > 5 {
		if n, err := strconv.Atoi(os.Args[5]); err == nil && n >= 1 && n <= 5 {
			count = n
		}
	}
	raw, err := os.ReadFile(headersFile)
	if err != nil {
		fail(err)
	}
	var headers [][2]string
	if err := json.Unmarshal(raw, &headers); err != nil {
		fail(err)
	}
	var body []byte
	if bodyFile != "" {
		if body, err = os.ReadFile(bodyFile); err != nil {
			fail(err)
		}
	}
	// No proxy from the environment: the loopback server is asked directly.
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil},
		Timeout:   30 * time.Second,
	}
	status := 0
	for i := 0; i < count; i++ {
		var reader io.Reader
		if bodyFile != "" {
			// A bytes.Reader: NewRequest sets GetBody, so 307/308 can resend it.
			reader = bytes.NewReader(body)
		}
		req, err := http.NewRequest(method, url, reader)
		if err != nil {
			fail(err)
		}
		for _, h := range headers {
			if http.CanonicalHeaderKey(h[0]) == "Host" {
				req.Host = h[1]
				continue
			}
			req.Header.Add(h[0], h[1])
		}
		resp, err := client.Do(req)
		if err != nil {
			fail(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	fmt.Println(status)
}
