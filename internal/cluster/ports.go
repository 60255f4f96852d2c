package cluster

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net"
)

// ServicePorts are the ports of one Temporal service process.
type ServicePorts struct {
	GRPC, Membership, Metrics int
}

// Ports are where each part of the topology listens, on 127.0.0.1.
type Ports struct {
	// Temporal holds each of TemporalServices' ports.
	Temporal map[string]ServicePorts
	// FrontendHTTP is the frontend's HTTP API.
	FrontendHTTP int
	// S3 is the S3 server; World the sandbox world (bureau, courier,
	// inventory, records, registry) one worker serves; Codec the codec
	// server.
	S3, World, Codec int
	// UI is the Temporal Web UI.
	UI int
	// Balancer is the load balancer in front of the APIs: the system's
	// address for backends, the demo and the sandbox world's webhooks.
	Balancer int
	// APIs and WorkerOps are the API processes' listen ports and the
	// workers' ops ports (/metrics, /healthz, /readyz), one per process.
	APIs, WorkerOps []int
}

// DefaultPorts are `make run-cluster`'s: Temporal's usual ports, and the
// system at :8080 as under `make run`, so `make demo` finds it.
func DefaultPorts() Ports {
	return Ports{
		Temporal: map[string]ServicePorts{
			"frontend": {GRPC: 7233, Membership: 6933, Metrics: 8000},
			"history":  {GRPC: 7234, Membership: 6934, Metrics: 8001},
			"matching": {GRPC: 7235, Membership: 6935, Metrics: 8002},
			"worker":   {GRPC: 7239, Membership: 6939, Metrics: 8003},
		},
		FrontendHTTP: 7243,
		S3:           7070, World: 7080, Codec: 8089, UI: 8233,
		Balancer: 8080, APIs: []int{8081, 8082}, WorkerOps: []int{9091, 9092},
	}
}

// FreePorts are ports free at the time of asking, for tests that run a
// topology beside others: apis API processes and workers workers.
func FreePorts(apis, workers int) (Ports, error) {
	n := 4*2 + 6 + apis + workers
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return Ports{}, fmt.Errorf("cluster: free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	next := func() int { p := ports[0]; ports = ports[1:]; return p }
	p := Ports{Temporal: map[string]ServicePorts{}}
	for _, s := range TemporalServices {
		m, err := lowPort(&lns)
		if err != nil {
			return Ports{}, err
		}
		p.Temporal[s] = ServicePorts{GRPC: next(), Membership: m, Metrics: next()}
	}
	p.FrontendHTTP, p.S3, p.World, p.Codec, p.UI, p.Balancer = next(), next(), next(), next(), next(), next()
	for range apis {
		p.APIs = append(p.APIs, next())
	}
	for range workers {
		p.WorkerOps = append(p.WorkerOps, next())
	}
	return p, nil
}

func addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// lowPort is a free port below 32768, held open in lns until the caller
// closes them: Temporal stores membership ports as a PostgreSQL smallint,
// and the kernel's ephemeral ports (":0") are above that on Linux.
func lowPort(lns *[]net.Listener) (int, error) {
	for range 200 {
		n, err := rand.Int(rand.Reader, big.NewInt(32767-20000))
		if err != nil {
			return 0, err
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 20000+n.Int64()))
		if err != nil {
			continue
		}
		*lns = append(*lns, ln)
		return ln.Addr().(*net.TCPAddr).Port, nil
	}
	return 0, errors.New("cluster: no free port below 32768 for Temporal's membership")
}
