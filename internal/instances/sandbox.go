package instances

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// idPattern is the shape of a sandbox instance ID; anything else does not
// exist, which is how a tester scripts "no such instance" with a typo.
var idPattern = regexp.MustCompile(`^i-[a-z0-9-]{4,60}$`)

// Sandbox is an in-memory Inventory whose answers follow from the instance
// ID, so testers can script every outcome without setting anything up:
//
//   - An ID must match ^i-[a-z0-9-]{4,60}$; any other ID is ErrNotFound.
//   - Instances registered with Add are returned as registered.
//   - Any other well-formed ID exists, with no owner (AccountID "": every
//     account may use it), region cn-hangzhou, mainland, subscription,
//     running and a quota of 5, except as its "-"-separated segments after
//     "i-" say:
//     hk       region cn-hongkong, not mainland   (i-hk-web01)
//     payg     pay-as-you-go, not subscription    (i-payg-web01)
//     stopped  not running                        (i-web01-stopped-1)
//     quotaN   quota N, e.g. quota1 for a Marketplace product (i-quota1-web01)
//     foreign  owned by account "acc-foreign"     (i-foreign-web01)
//     released does not exist: ErrNotFound        (i-released-web01)
//
// A Sandbox is safe for concurrent use.
type Sandbox struct {
	mu         sync.RWMutex
	registered map[string]Instance
}

// NewSandbox returns a Sandbox with no registered instances.
func NewSandbox() *Sandbox {
	return &Sandbox{registered: map[string]Instance{}}
}

// Add registers inst, replacing an earlier registration of the same ID, so a
// test can give an instance an owner or change it mid-scenario (stop it,
// move it). The ID must be well-formed.
func (s *Sandbox) Add(inst Instance) error {
	if !idPattern.MatchString(inst.ID) {
		return fmt.Errorf("instances: add %q: ID must match %s", inst.ID, idPattern)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registered[inst.ID] = inst
	return nil
}

// Instance implements Inventory.
func (s *Sandbox) Instance(ctx context.Context, id string) (Instance, error) {
	if err := ctx.Err(); err != nil {
		return Instance{}, err
	}
	if !idPattern.MatchString(id) {
		return Instance{}, fmt.Errorf("instances: %q: %w", id, ErrNotFound)
	}
	s.mu.RLock()
	inst, ok := s.registered[id]
	s.mu.RUnlock()
	if ok {
		return inst, nil
	}
	inst = Instance{ID: id, Region: "cn-hangzhou", Mainland: true, Subscription: true, Running: true,
		ServiceNumberQuota: DefaultServiceNumberQuota}
	for _, seg := range strings.Split(strings.TrimPrefix(id, "i-"), "-") {
		switch seg {
		case "hk":
			inst.Region, inst.Mainland = "cn-hongkong", false
		case "payg":
			inst.Subscription = false
		case "stopped":
			inst.Running = false
		case "foreign":
			inst.AccountID = "acc-foreign"
		case "released":
			return Instance{}, fmt.Errorf("instances: %s: %w", id, ErrNotFound)
		default:
			if n, ok := strings.CutPrefix(seg, "quota"); ok {
				if q, err := strconv.Atoi(n); err == nil {
					inst.ServiceNumberQuota = q
				}
			}
		}
	}
	return inst, nil
}
