package main

import (
	"io"
	"log"
	"net"
	"time"
)

// delayProxy forwards TCP connections from listen to target, holding every byte back by delay in each direction (so a
// request and its answer take twice delay more, as over a WAN link), without limiting throughput: chunks are queued
// with the time they were read and written out when that time plus delay has come. A new connection also waits twice
// delay before it carries anything, as a TCP handshake over such a link would. The link's rate is not limited here
// (bench/run.sh puts a token bucket filter on the veth it creates).
func delayProxy(listen, target string, delay time.Duration) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		log.Fatalf("listen %s: %v", listen, err)
	}
	log.Printf("delaying %s -> %s by %v each way", listen, target, delay)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		go func(c net.Conn) {
			defer c.Close()
			time.Sleep(2 * delay)
			t, err := net.Dial("tcp", target)
			if err != nil {
				log.Printf("dial %s: %v", target, err)
				return
			}
			defer t.Close()
			done := make(chan struct{}, 2)
			go pump(c, t, delay, done)
			go pump(t, c, delay, done)
			<-done
		}(c)
	}
}

type chunk struct {
	at   time.Time
	data []byte
}

func pump(from, to net.Conn, delay time.Duration, done chan struct{}) {
	q := make(chan chunk, 4096)
	go func() {
		for ch := range q {
			if wait := time.Until(ch.at); wait > 0 {
				time.Sleep(wait)
			}
			if _, err := to.Write(ch.data); err != nil {
				break
			}
		}
		if tc, ok := to.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	for {
		buf := make([]byte, 64*1024)
		n, err := from.Read(buf)
		if n > 0 {
			q <- chunk{time.Now().Add(delay), buf[:n]}
		}
		if err != nil {
			if err != io.EOF {
				log.Printf("read: %v", err)
			}
			break
		}
	}
	close(q)
}
