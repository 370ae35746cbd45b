// Command whatsapp-bench measures webhook parse throughput: the hub's
// ParseNotification (decode and flatten into events) against encoding/json
// decoding the same bytes into map[string]any, in the same run. It
// alternates short rounds of each and keeps the best round of each, so load
// from other processes affects both sides alike, and prints bodies/s, MB/s
// and the ratio. make bench runs it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"switchboard/backend/whatsapp"
	"switchboard/backend/whatsapp/internal/benchcorpus"
)

func main() {
	rounds := flag.Int("rounds", 10, "alternating measurement rounds per side")
	round := flag.Duration("round", 200*time.Millisecond, "length of one round")
	flag.Parse()

	bodies := benchcorpus.Bodies()
	var size int
	for _, b := range bodies {
		size += len(b)
	}

	parse := func() error {
		for _, b := range bodies {
			n, err := whatsapp.ParseNotification(b)
			if err != nil {
				return err
			}
			_ = n.Events()
		}
		return nil
	}
	mapAny := func() error {
		for _, b := range bodies {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return err
			}
		}
		return nil
	}

	var best [2]float64 // passes over the corpus per second
	for r := 0; r < *rounds; r++ {
		for i, f := range []func() error{parse, mapAny} {
			passes, start := 0, time.Now()
			for time.Since(start) < *round {
				if err := f(); err != nil {
					fmt.Fprintln(os.Stderr, "whatsapp-bench:", err)
					os.Exit(1)
				}
				passes++
			}
			if rate := float64(passes) / time.Since(start).Seconds(); rate > best[i] {
				best[i] = rate
			}
		}
	}

	fmt.Printf("webhook parse: %d bodies, %d bytes (avg %d B/body), best of %d rounds of %s\n",
		len(bodies), size, size/len(bodies), *rounds, *round)
	for i, name := range []string{"whatsapp.ParseNotification + Events", "encoding/json into map[string]any"} {
		fmt.Printf("  %-38s %12.0f bodies/s %9.1f MB/s\n", name, best[i]*float64(len(bodies)), best[i]*float64(size)/1e6)
	}
	fmt.Printf("  ratio (ParseNotification / map[string]any): %.2fx\n", best[0]/best[1])
}
