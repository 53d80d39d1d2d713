package nsattach

import (
	"runtime"
	"sync"
)

// shareOut runs work over the items [0, count) in contiguous parts
// [lo, hi), one goroutine per CPU, and at least per items to a part: on a
// host with hundreds of namespaces and thousands of processes, the
// kernel's answers (readlinks, dumps by nsid) take most of a scan, and
// none of them needs a switch of namespace.
func shareOut(count, per int, work func(lo, hi int)) {
	n := min(runtime.GOMAXPROCS(0), 1+count/per)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { work(i*count/n, (i+1)*count/n) })
	}
	wg.Wait()
}
