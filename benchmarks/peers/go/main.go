// The Go peer of the mn-scheduler benchmarks: yield_many, skynet and both ping_pongs on goroutines, shaped like
// their Java counterparts in benchmarks/src/main/java/io/mnscheduler/bench/Workloads.java.
// benchmarks/run runs it with `go run . -workers N -out FILE` when Go is installed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

const (
	yieldThreads   = 200
	yields         = 1_000
	skynetLeaves   = 1_000_000
	skynetFanOut   = 10
	pingPongRounds = 1_000
)

// skynet sums the leaf numbers of a tree of fan-out skynetFanOut; every node is a goroutine.
func skynet(out chan<- int64, num, size int64) {
	if size == 1 {
		out <- num
		return
	}
	children := make(chan int64, skynetFanOut)
	childSize := size / skynetFanOut
	for i := int64(0); i < skynetFanOut; i++ {
		go skynet(children, num+i*childSize, childSize)
	}
	var sum int64
	for i := 0; i < skynetFanOut; i++ {
		sum += <-children
	}
	out <- sum
}

func skynetOnce() {
	out := make(chan int64, 1)
	go skynet(out, 0, skynetLeaves)
	if got, want := <-out, int64(skynetLeaves)*(skynetLeaves-1)/2; got != want {
		panic(fmt.Sprintf("skynet: got %d, want %d", got, want))
	}
}

// yieldManyOnce runs yieldThreads goroutines that each yield the processor yields times.
func yieldManyOnce() {
	var wg sync.WaitGroup
	wg.Add(yieldThreads)
	for t := 0; t < yieldThreads; t++ {
		go func() {
			defer wg.Done()
			for y := 0; y < yields; y++ {
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
}

// pingPongOnce runs pingPongRounds rounds at once; in each, a goroutine starts its partner, sends
// it one message and waits for the one reply. Each message travels over a one-shot channel (a
// channel with room for one), as Tokio's oneshot: sending never blocks.
func pingPongOnce() {
	runPingPong(1)
}

// pingPongRendezvousOnce is pingPongOnce over unbuffered channels: the sender waits for the receiver.
func pingPongRendezvousOnce() {
	runPingPong(0)
}

func runPingPong(buffer int) {
	done := make(chan struct{}, pingPongRounds)
	for r := 0; r < pingPongRounds; r++ {
		go func() {
			ping := make(chan int, buffer)
			pong := make(chan int, buffer)
			go func() { pong <- (<-ping) + 1 }()
			ping <- 1
			if <-pong != 2 {
				panic("ping_pong: wrong reply")
			}
			done <- struct{}{}
		}()
	}
	for r := 0; r < pingPongRounds; r++ {
		<-done
	}
}

type result struct {
	Benchmark  string    `json:"benchmark"`
	Unit       string    `json:"unit"`
	Score      float64   `json:"score"`
	Iterations []float64 `json:"iterations"`
}

// measure runs op for warmup iterations, then for iterations of the given length, and reports
// operations per second in each measured iteration, as JMH's throughput mode does.
func measure(name string, op func(), warmup, iterations int, length time.Duration) result {
	run := func() float64 {
		start := time.Now()
		ops := 0
		for time.Since(start) < length {
			op()
			ops++
		}
		return float64(ops) / time.Since(start).Seconds()
	}
	for i := 0; i < warmup; i++ {
		run()
	}
	r := result{Benchmark: name, Unit: "ops/s"}
	sum := 0.0
	for i := 0; i < iterations; i++ {
		s := run()
		r.Iterations = append(r.Iterations, s)
		sum += s
	}
	r.Score = sum / float64(iterations)
	return r
}

func main() {
	workers := flag.Int("workers", runtime.NumCPU(), "GOMAXPROCS: the number of processors")
	warmup := flag.Int("warmup", 2, "warm-up iterations")
	iterations := flag.Int("iterations", 3, "measured iterations")
	length := flag.Duration("length", time.Second, "length of one iteration")
	out := flag.String("out", "", "the JSON file to write (default: standard output)")
	flag.Parse()
	if *workers < 1 || *iterations < 1 || *warmup < 0 || *length <= 0 {
		fmt.Fprintln(os.Stderr, "workers and iterations must be at least 1, warmup at least 0, length positive")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*workers)
	report := struct {
		Go      string   `json:"go"`
		Workers int      `json:"workers"`
		Results []result `json:"results"`
	}{Go: runtime.Version(), Workers: *workers}
	report.Results = append(report.Results,
		measure("yield_many", yieldManyOnce, *warmup, *iterations, *length),
		measure("skynet_threads", skynetOnce, *warmup, *iterations, *length),
		measure("ping_pong", pingPongOnce, *warmup, *iterations, *length),
		measure("ping_pong_rendezvous", pingPongRendezvousOnce, *warmup, *iterations, *length))
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		panic(err)
	}
	if *out == "" {
		fmt.Println(string(data))
	} else if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
