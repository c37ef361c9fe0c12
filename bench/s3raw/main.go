// s3raw measures the raw ceilings the benchmark compares Strata against: parallel PUT and GET of large objects
// against an S3 server over keep-alive connections with no hashing of the payload (SigV4 with UNSIGNED-PAYLOAD),
// and loopback TCP throughput. Standard library only.
//
//	s3raw mb     -endpoint URL -bucket B
//	s3raw put    -endpoint URL -bucket B -c N -n OBJECTS -size BYTES
//	s3raw get    -endpoint URL -bucket B -c N -n OBJECTS -size BYTES   (reads objects written by put)
//	s3raw tcp    -size BYTES
//	s3raw proxy  -listen HOST:PORT -target HOST:PORT -delay 10ms   (a TCP proxy adding delay each way: the WAN profile)
//
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Each measurement prints one JSON line.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var (
	endpoint   = flag.String("endpoint", "http://127.0.0.1:9000", "S3 endpoint")
	bucket     = flag.String("bucket", "raw", "bucket")
	region     = flag.String("region", "us-east-1", "region")
	conc       = flag.Int("c", 1, "requests in flight")
	count      = flag.Int("n", 16, "objects")
	listenAddr = flag.String("listen", "198.18.0.1:0", "proxy: address to listen on")
	targetAddr = flag.String("target", "198.18.0.2:9000", "proxy: address to forward to")
	delayBy    = flag.Duration("delay", 10*time.Millisecond, "proxy: delay added in each direction")
	size       = flag.Int64("size", 64<<20, "object size in bytes")
	prefix     = flag.String("prefix", "obj", "object key prefix")
	signBody   = flag.Bool("signed-payload", false, "put: sign the payload's SHA-256 (x-amz-content-sha256) instead of UNSIGNED-PAYLOAD (computed once, before timing)")
	checksum   = flag.Bool("checksum-sha256", false, "put: send x-amz-checksum-sha256 (computed once, before timing)")
	md5hdr     = flag.Bool("content-md5", false, "put: send Content-MD5 (computed once, before timing)")
)

const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func hmacSHA(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// sign adds SigV4 headers (path-style; payloadHash is the payload's hex SHA-256 or UNSIGNED-PAYLOAD). Extra x-amz-*
// headers already set on the request are signed too.
func sign(req *http.Request, payloadHash string) {
	ak, sk := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("x-amz-date", amzDate)
	req.Header.Set("x-amz-content-sha256", payloadHash)
	host := req.URL.Host
	canonHeaders := "host:" + host + "\n"
	signed := "host"
	if v := req.Header.Get("x-amz-checksum-sha256"); v != "" {
		canonHeaders += "x-amz-checksum-sha256:" + v + "\n"
		signed += ";x-amz-checksum-sha256"
	}
	canonHeaders += "x-amz-content-sha256:" + payloadHash + "\n" + "x-amz-date:" + amzDate + "\n"
	signed += ";x-amz-content-sha256;x-amz-date"
	canon := req.Method + "\n" + req.URL.EscapedPath() + "\n" + req.URL.RawQuery + "\n" + canonHeaders + "\n" + signed + "\n" + payloadHash
	scope := day + "/" + *region + "/s3/aws4_request"
	h := sha256.Sum256([]byte(canon))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	k := hmacSHA([]byte("AWS4"+sk), day)
	k = hmacSHA(k, *region)
	k = hmacSHA(k, "s3")
	k = hmacSHA(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+ak+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func client(n int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        n * 2,
		MaxIdleConnsPerHost: n * 2,
		DisableCompression:  true,
		WriteBufferSize:     1 << 20,
		ReadBufferSize:      1 << 20,
	}}
}

func objURL(key string) string {
	return *endpoint + "/" + *bucket + "/" + url.PathEscape(key)
}

func check(resp *http.Response, err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3raw: %s: %v\n", what, err)
		os.Exit(1)
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(os.Stderr, "s3raw: %s: HTTP %d: %s\n", what, resp.StatusCode, b)
		os.Exit(1)
	}
}

func report(op string, bytesMoved int64, d time.Duration, extra map[string]any) {
	m := map[string]any{"op": op, "c": *conc, "objects": *count, "size": *size, "bytes": bytesMoved,
		"seconds": d.Seconds(), "MBps": float64(bytesMoved) / d.Seconds() / 1e6}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
}

// run executes f(i) for i in [0, count) with conc workers and returns the elapsed time.
func run(f func(i int)) time.Duration {
	var next int64 = -1
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= *count {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: s3raw mb|put|get|tcp|proxy [flags]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	flag.CommandLine.Parse(os.Args[2:])
	switch cmd {
	case "mb":
		req, _ := http.NewRequest("PUT", *endpoint+"/"+*bucket, nil)
		sign(req, emptySHA)
		resp, err := client(1).Do(req)
		if err == nil && resp.StatusCode == 409 { // already exists
			return
		}
		check(resp, err, "create bucket "+*bucket)
	case "put":
		buf := make([]byte, *size)
		rand.New(rand.NewSource(42)).Read(buf)
		payload := "UNSIGNED-PAYLOAD"
		sum := sha256.Sum256(buf)
		if *signBody {
			payload = hex.EncodeToString(sum[:])
		}
		md5sum := md5.Sum(buf)
		c := client(*conc)
		d := run(func(i int) {
			req, _ := http.NewRequest("PUT", objURL(fmt.Sprintf("%s-%04d", *prefix, i)), bytes.NewReader(buf))
			req.ContentLength = *size
			if *checksum {
				req.Header.Set("x-amz-checksum-sha256", base64.StdEncoding.EncodeToString(sum[:]))
			}
			if *md5hdr {
				req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(md5sum[:]))
			}
			sign(req, payload)
			resp, err := c.Do(req)
			check(resp, err, "PUT")
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
		report("put", *size*int64(*count), d, map[string]any{"signed_payload": *signBody, "checksum_sha256": *checksum, "content_md5": *md5hdr})
	case "get":
		c := client(*conc)
		var total int64
		d := run(func(i int) {
			req, _ := http.NewRequest("GET", objURL(fmt.Sprintf("%s-%04d", *prefix, i)), nil)
			sign(req, emptySHA)
			resp, err := c.Do(req)
			check(resp, err, "GET")
			n, err := io.CopyBuffer(io.Discard, resp.Body, make([]byte, 1<<20))
			if err != nil {
				fmt.Fprintf(os.Stderr, "s3raw: GET body: %v\n", err)
				os.Exit(1)
			}
			resp.Body.Close()
			atomic.AddInt64(&total, n)
		})
		report("get", total, d, nil)
	case "tcp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		done := make(chan struct{})
		go func() {
			cn, err := ln.Accept()
			if err != nil {
				panic(err)
			}
			io.CopyBuffer(io.Discard, cn, make([]byte, 1<<20))
			cn.Close()
			close(done)
		}()
		cn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		buf := make([]byte, 1<<20)
		start := time.Now()
		for sent := int64(0); sent < *size; sent += int64(len(buf)) {
			if _, err := cn.Write(buf); err != nil {
				panic(err)
			}
		}
		cn.Close()
		<-done
		*conc = 1
		report("tcp", *size, time.Since(start), nil)
	case "proxy":
		delayProxy(*listenAddr, *targetAddr, *delayBy)
	default:
		fmt.Fprintln(os.Stderr, "usage: s3raw mb|put|get|tcp|proxy [flags]")
		os.Exit(2)
	}
}
