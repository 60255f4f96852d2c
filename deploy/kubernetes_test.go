package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/beianflow/beianflow/internal/config"
)

// kubeDir holds the kustomize base and its overlays.
var kubeDir = repoPath("deploy", "kubernetes")

// beianflowImage is the image name every beianflow container uses; the
// overlays' images transform points it at a registry and a tag.
const beianflowImage = "beianflow"

// secretName is the Secret beianflow's pods read their secrets from. It is
// created outside these manifests (docs/deployment.md).
const secretName = "beianflow-secrets"

// kustomization is the part of kustomize's Kustomization these manifests
// use. Decoding is strict, so a field outside it (a typo, or a feature the
// test below does not model, such as a generator) fails until the test
// learns it.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
	Patches []struct {
		Path string `json:"path"`
	} `json:"patches,omitempty"`
}

// manifests is what a kustomization renders, by kind and name.
type manifests struct {
	deployments     map[string]*appsv1.Deployment
	jobs            map[string]*batchv1.Job
	services        map[string]*corev1.Service
	configMaps      map[string]*corev1.ConfigMap
	secrets         map[string]*corev1.Secret
	serviceAccounts map[string]*corev1.ServiceAccount
	pdbs            map[string]*policyv1.PodDisruptionBudget
	hpas            map[string]*autoscalingv2.HorizontalPodAutoscaler
	images          map[string]string // kustomize images: name -> newName:newTag
}

func newManifests() *manifests {
	return &manifests{
		deployments:     map[string]*appsv1.Deployment{},
		jobs:            map[string]*batchv1.Job{},
		services:        map[string]*corev1.Service{},
		configMaps:      map[string]*corev1.ConfigMap{},
		secrets:         map[string]*corev1.Secret{},
		serviceAccounts: map[string]*corev1.ServiceAccount{},
		pdbs:            map[string]*policyv1.PodDisruptionBudget{},
		hpas:            map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		images:          map[string]string{},
	}
}

// strictJSON decodes JSON into v, refusing fields v does not have.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

// documents splits a YAML stream at its `---` separators and drops the
// empty ones (comments only).
func documents(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		empty := true
		for line := range strings.Lines(d) {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
				empty = false
				break
			}
		}
		if !empty {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// decodeObject decodes one YAML document strictly (duplicate keys, unknown
// fields) into the k8s.io/api type its apiVersion and kind name.
func decodeObject(doc []byte) (any, error) {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, err
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		return nil, err
	}
	var obj any
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 Deployment":
		obj = &appsv1.Deployment{}
	case "batch/v1 Job":
		obj = &batchv1.Job{}
	case "v1 Service":
		obj = &corev1.Service{}
	case "v1 ConfigMap":
		obj = &corev1.ConfigMap{}
	case "v1 Secret":
		obj = &corev1.Secret{}
	case "v1 ServiceAccount":
		obj = &corev1.ServiceAccount{}
	case "policy/v1 PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "autoscaling/v2 HorizontalPodAutoscaler":
		obj = &autoscalingv2.HorizontalPodAutoscaler{}
	default:
		return nil, fmt.Errorf("apiVersion %q kind %q: not a kind this test knows; teach decodeObject and the checks below", tm.APIVersion, tm.Kind)
	}
	if err := strictJSON(j, obj); err != nil {
		return nil, fmt.Errorf("%s %s: %w", tm.APIVersion, tm.Kind, err)
	}
	return obj, nil
}

func (m *manifests) add(t *testing.T, file string, obj any) {
	t.Helper()
	put := func(kind, name string, have bool) {
		if name == "" {
			t.Errorf("%s: a %s without a name", file, kind)
		}
		if have {
			t.Errorf("%s: a second %s %q", file, kind, name)
		}
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		_, have := m.deployments[o.Name]
		put("Deployment", o.Name, have)
		m.deployments[o.Name] = o
	case *batchv1.Job:
		_, have := m.jobs[o.Name]
		put("Job", o.Name, have)
		m.jobs[o.Name] = o
	case *corev1.Service:
		_, have := m.services[o.Name]
		put("Service", o.Name, have)
		m.services[o.Name] = o
	case *corev1.ConfigMap:
		_, have := m.configMaps[o.Name]
		put("ConfigMap", o.Name, have)
		m.configMaps[o.Name] = o
	case *corev1.Secret:
		_, have := m.secrets[o.Name]
		put("Secret", o.Name, have)
		m.secrets[o.Name] = o
	case *corev1.ServiceAccount:
		_, have := m.serviceAccounts[o.Name]
		put("ServiceAccount", o.Name, have)
		m.serviceAccounts[o.Name] = o
	case *policyv1.PodDisruptionBudget:
		_, have := m.pdbs[o.Name]
		put("PodDisruptionBudget", o.Name, have)
		m.pdbs[o.Name] = o
	case *autoscalingv2.HorizontalPodAutoscaler:
		_, have := m.hpas[o.Name]
		put("HorizontalPodAutoscaler", o.Name, have)
		m.hpas[o.Name] = o
	default:
		t.Fatalf("%s: unhandled %T", file, obj)
	}
}

func decodeFile(t *testing.T, file string) []any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var objs []any
	for i, doc := range documents(data) {
		obj, err := decodeObject(doc)
		if err != nil {
			t.Errorf("%s, document %d: %v", file, i+1, err)
			continue
		}
		objs = append(objs, obj)
	}
	if len(objs) == 0 {
		t.Errorf("%s: no object", file)
	}
	return objs
}

// kustomizer renders kustomizations the way kustomize would for what these
// manifests use: resources (files and directories), images, a namespace,
// and strategic-merge patches of ConfigMaps' data.
type kustomizer struct {
	t *testing.T
	// used are the files some kustomization names, so that a manifest no
	// kustomization lists is found.
	used map[string]bool
	// built caches each directory's rendering, so that a base included by
	// several overlays reports its errors once.
	built map[string]*manifests
	// included are the directories another kustomization includes.
	included map[string]bool
}

func newKustomizer(t *testing.T) *kustomizer {
	return &kustomizer{t: t, used: map[string]bool{}, built: map[string]*manifests{}, included: map[string]bool{}}
}

func (k *kustomizer) build(dir string) *manifests {
	t := k.t
	if m, ok := k.built[dir]; ok {
		return m
	}
	kfile := filepath.Join(dir, "kustomization.yaml")
	k.used[kfile] = true
	data, err := os.ReadFile(kfile)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		t.Fatalf("%s: %v", kfile, err)
	}
	var kz kustomization
	if err := strictJSON(j, &kz); err != nil {
		t.Fatalf("%s: %v", kfile, err)
	}
	if kz.APIVersion != "kustomize.config.k8s.io/v1beta1" || kz.Kind != "Kustomization" {
		t.Errorf("%s: apiVersion %q kind %q, want kustomize.config.k8s.io/v1beta1 Kustomization", kfile, kz.APIVersion, kz.Kind)
	}
	if len(kz.Resources) == 0 {
		t.Errorf("%s: no resources", kfile)
	}
	m := newManifests()
	for _, r := range kz.Resources {
		p := filepath.Join(dir, filepath.FromSlash(r))
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: resource %s: %v", kfile, r, err)
			continue
		}
		if st.IsDir() {
			k.included[p] = true
			m.merge(t, kfile, k.build(p))
			continue
		}
		k.used[p] = true
		for _, obj := range decodeFile(t, p) {
			m.add(t, p, obj)
		}
	}
	for _, img := range kz.Images {
		m.images[img.Name] = img.NewName + ":" + img.NewTag
	}
	for _, p := range kz.Patches {
		file := filepath.Join(dir, filepath.FromSlash(p.Path))
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: patch %s: %v", kfile, p.Path, err)
			continue
		}
		k.used[file] = true
		for _, obj := range decodeFile(t, file) {
			cm, ok := obj.(*corev1.ConfigMap)
			if !ok {
				t.Errorf("%s: patch of a %T; this test applies ConfigMap patches only", file, obj)
				continue
			}
			base, ok := m.configMaps[cm.Name]
			if !ok {
				t.Errorf("%s: patches ConfigMap %q, which the resources do not have", file, cm.Name)
				continue
			}
			merged := base.DeepCopy()
			if merged.Data == nil {
				merged.Data = map[string]string{}
			}
			for key, v := range cm.Data {
				merged.Data[key] = v
			}
			m.configMaps[cm.Name] = merged
		}
	}
	k.built[dir] = m
	return m
}

func (m *manifests) merge(t *testing.T, where string, o *manifests) {
	t.Helper()
	for _, d := range o.deployments {
		m.add(t, where, d)
	}
	for _, j := range o.jobs {
		m.add(t, where, j)
	}
	for _, s := range o.services {
		m.add(t, where, s)
	}
	for _, c := range o.configMaps {
		m.add(t, where, c)
	}
	for _, s := range o.secrets {
		m.add(t, where, s)
	}
	for _, s := range o.serviceAccounts {
		m.add(t, where, s)
	}
	for _, p := range o.pdbs {
		m.add(t, where, p)
	}
	for _, h := range o.hpas {
		m.add(t, where, h)
	}
	for k, v := range o.images {
		m.images[k] = v
	}
}

// kustomizations are the directories under deploy/kubernetes with a
// kustomization.yaml.
func kustomizations(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(kubeDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "kustomization.yaml" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

// overlays are the kustomizations no other one includes: what is applied.
func overlays(t *testing.T) map[string]*manifests {
	t.Helper()
	k := newKustomizer(t)
	for _, dir := range kustomizations(t) {
		k.build(dir)
	}
	out := map[string]*manifests{}
	for dir, m := range k.built {
		if !k.included[dir] {
			out[dir] = m
		}
	}
	if len(out) == 0 {
		t.Fatal("no overlay under deploy/kubernetes")
	}
	return out
}

func TestEveryManifestIsStrictlyTypedAndListed(t *testing.T) {
	k := newKustomizer(t)
	for _, dir := range kustomizations(t) {
		k.build(dir)
	}
	used := k.used
	err := filepath.WalkDir(kubeDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml":
			if !used[p] {
				t.Errorf("%s: no kustomization lists it as a resource or a patch", p)
			}
			if filepath.Ext(p) == ".yml" {
				t.Errorf("%s: name it .yaml like the others", p)
			}
		default:
			t.Errorf("%s: only YAML manifests belong under deploy/kubernetes", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Kinds outside the test's list are refused: they would go unchecked.
	if _, err := decodeObject([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")); err == nil {
		t.Error("an unknown kind decoded")
	}
	// A misspelt field is an error, not a silently dropped setting.
	if _, err := decodeObject([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selectr: {a: b}}\n")); err == nil {
		t.Error("an unknown field decoded")
	}
}

// pod is a pod template with where it comes from.
type pod struct {
	kind, name string
	meta       metav1.ObjectMeta
	spec       corev1.PodSpec
}

func (m *manifests) pods() []pod {
	var out []pod
	for _, d := range m.deployments {
		out = append(out, pod{"Deployment", d.Name, d.Spec.Template.ObjectMeta, d.Spec.Template.Spec})
	}
	for _, j := range m.jobs {
		out = append(out, pod{"Job", j.Name, j.Spec.Template.ObjectMeta, j.Spec.Template.Spec})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].kind+out[i].name < out[j].kind+out[j].name })
	return out
}

// role is the beianflow subcommand a container runs, "" for other images.
func role(c corev1.Container) string {
	if c.Image != beianflowImage || len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

// secretValue is what the test puts in a secret's file: long enough and of
// the characters every secret variable accepts, and no development default.
func secretValue(key string) string {
	if key == "database-url" {
		return "postgres://beianflow@db.example.internal:5432/beianflow?sslmode=verify-full"
	}
	return "example-" + key + "-0123456789abcdefghijklmnopqrstuvwxyz"
}

// containerEnv is the environment Kubernetes gives c: its ConfigMaps'
// data (envFrom), then its own env, with each NAME_FILE pointing at a copy
// of the mounted Secret item written to dir, and a secretKeyRef's value.
func containerEnv(t *testing.T, m *manifests, p pod, c corev1.Container, dir string) map[string]string {
	t.Helper()
	where := p.kind + " " + p.name + " container " + c.Name
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil || from.Prefix != "" {
			t.Errorf("%s: envFrom other than a whole ConfigMap", where)
			continue
		}
		cm, ok := m.configMaps[from.ConfigMapRef.Name]
		if !ok {
			t.Errorf("%s: envFrom ConfigMap %q does not exist", where, from.ConfigMapRef.Name)
			continue
		}
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	mounts := secretFiles(t, p, c)
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
			if strings.HasSuffix(e.Name, "_FILE") {
				key, ok := mounts[e.Value]
				if !ok {
					t.Errorf("%s: %s=%s is no file of a mounted Secret item", where, e.Name, e.Value)
					continue
				}
				f := filepath.Join(dir, p.name+"-"+c.Name+"-"+key)
				if err := os.WriteFile(f, []byte(secretValue(key)+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				env[e.Name] = f
			}
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			if ref.Name != secretName {
				t.Errorf("%s: %s reads Secret %q, want %s", where, e.Name, ref.Name, secretName)
			}
			if ref.Optional == nil || !*ref.Optional {
				env[e.Name] = secretValue(ref.Key)
			} // an optional key may be absent: the variable is then empty
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm, ok := m.configMaps[ref.Name]
			if !ok {
				t.Errorf("%s: %s reads ConfigMap %q, which does not exist", where, e.Name, ref.Name)
				continue
			}
			v, ok := cm.Data[ref.Key]
			if !ok {
				t.Errorf("%s: %s reads key %q, which ConfigMap %s does not have", where, e.Name, ref.Key, ref.Name)
			}
			env[e.Name] = v
		default:
			t.Errorf("%s: %s: a valueFrom this test does not model", where, e.Name)
		}
	}
	return env
}

// secretFiles maps each file c sees of the Secret beianflow-secrets to its
// key.
func secretFiles(t *testing.T, p pod, c corev1.Container) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, vm := range c.VolumeMounts {
		for _, v := range p.spec.Volumes {
			if v.Name != vm.Name || v.Secret == nil {
				continue
			}
			if v.Secret.SecretName != secretName {
				t.Errorf("%s %s: volume %s mounts Secret %q, want %s", p.kind, p.name, v.Name, v.Secret.SecretName, secretName)
			}
			if !vm.ReadOnly {
				t.Errorf("%s %s: secret volume %s is mounted writable", p.kind, p.name, v.Name)
			}
			if len(v.Secret.Items) == 0 {
				t.Errorf("%s %s: secret volume %s projects every key: list the ones this role needs", p.kind, p.name, v.Name)
			}
			for _, it := range v.Secret.Items {
				files[path.Join(vm.MountPath, it.Path)] = it.Key
			}
		}
	}
	return files
}

// secretKeys are the keys of beianflow-secrets the manifests read.
func (m *manifests) secretKeys() map[string]bool {
	keys := map[string]bool{}
	for _, p := range m.pods() {
		for k := range p.secretKeys() {
			keys[k] = true
		}
	}
	return keys
}

// secretKeys are the keys of beianflow-secrets p's containers read, as
// files or secretKeyRefs.
func (p pod) secretKeys() map[string]bool {
	keys := map[string]bool{}
	for _, v := range p.spec.Volumes {
		if v.Secret != nil {
			for _, it := range v.Secret.Items {
				keys[it.Key] = true
			}
		}
	}
	for _, c := range p.spec.Containers {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				keys[e.ValueFrom.SecretKeyRef.Key] = true
			}
		}
	}
	return keys
}

func TestEveryBeianflowContainerStartsInProduction(t *testing.T) {
	names := envNames()
	secrets := secretEnvNames()
	for dir, m := range overlays(t) {
		for _, p := range m.pods() {
			for _, c := range p.spec.Containers {
				where := fmt.Sprintf("%s: %s %s container %s", dir, p.kind, p.name, c.Name)
				r := role(c)
				if r == "" {
					continue
				}
				for _, from := range c.EnvFrom {
					if from.ConfigMapRef == nil {
						continue // containerEnv reports it
					}
					if cm := m.configMaps[from.ConfigMapRef.Name]; cm != nil {
						for k := range cm.Data {
							if !names[k] {
								t.Errorf("%s: ConfigMap %s sets %s, which beianflow does not read (beianflow config lists what it does)", where, cm.Name, k)
							}
							if secrets[k] {
								t.Errorf("%s: ConfigMap %s holds the secret %s: give it as a file of %s", where, cm.Name, k, secretName)
							}
						}
					}
				}
				for _, e := range c.Env {
					if !names[e.Name] {
						t.Errorf("%s: env %s is not a variable beianflow reads", where, e.Name)
					}
					if secrets[e.Name] && e.ValueFrom == nil {
						t.Errorf("%s: the secret %s is a literal: give it as %s_FILE or a secretKeyRef", where, e.Name, e.Name)
					}
				}
				checkSecretsRead(t, where, p, c, r)
				env := containerEnv(t, m, p, c, t.TempDir())
				if env["BEIANFLOW_ENV"] != config.EnvProduction {
					t.Errorf("%s: BEIANFLOW_ENV=%q, want production", where, env["BEIANFLOW_ENV"])
				}
				cfg, err := loadConfig(r, env)
				if err != nil {
					t.Errorf("%s: beianflow %s would not start: %v", where, r, err)
					continue
				}
				if _, ok := roles[r]; ok {
					checkServing(t, where, p, c, r, cfg)
				}
			}
		}
	}
}

// checkSecretsRead checks that a container holds only secrets beianflow
// r reads: no env names another (secretsRead), and every file it mounts
// of the Secret is the file of a variable it sets.
func checkSecretsRead(t *testing.T, where string, p pod, c corev1.Container, r string) {
	t.Helper()
	var names []string
	files := map[string]bool{}
	for _, e := range c.Env {
		names = append(names, e.Name)
		if secretOf(e.Name) != "" && e.ValueFrom == nil {
			files[e.Value] = true
		}
	}
	if extra := unreadSecrets(r, names); len(extra) > 0 {
		t.Errorf("%s: beianflow %s reads none of %v; production does not check them for it either (config.LoadFor): remove them", where, r, extra)
	}
	// secretFiles (through containerEnv) reports the mounts themselves.
	for _, vm := range c.VolumeMounts {
		for _, v := range p.spec.Volumes {
			if v.Name != vm.Name || v.Secret == nil {
				continue
			}
			for _, it := range v.Secret.Items {
				if file := path.Join(vm.MountPath, it.Path); !files[file] {
					t.Errorf("%s: mounts key %s of %s (%s), which no variable of it names", where, it.Key, v.Secret.SecretName, file)
				}
			}
		}
	}
}

// checkServing checks what makes an HTTP role run well under an
// orchestrator: probes on the port it listens on, a grace period longer
// than its own shutdown, the scrape annotations on the same port.
func checkServing(t *testing.T, where string, p pod, c corev1.Container, r string, cfg config.Config) {
	t.Helper()
	port := servedPort(t, r, cfg)
	probePort := func(name string, pr *corev1.Probe, path string) {
		if pr == nil || pr.HTTPGet == nil {
			t.Errorf("%s: no %s probe (HTTP GET %s)", where, name, path)
			return
		}
		if pr.HTTPGet.Path != path {
			t.Errorf("%s: %s probe on %s, want %s", where, name, pr.HTTPGet.Path, path)
		}
		got := pr.HTTPGet.Port.String()
		for _, cp := range c.Ports {
			if cp.Name != "" && cp.Name == got {
				got = strconv.Itoa(int(cp.ContainerPort))
			}
		}
		if got != port {
			t.Errorf("%s: %s probe on port %s; beianflow %s listens on %s", where, name, pr.HTTPGet.Port.String(), r, port)
		}
	}
	// /healthz checks nothing: a dependency's outage never restarts a pod.
	probePort("liveness", c.LivenessProbe, "/healthz")
	probePort("readiness", c.ReadinessProbe, "/readyz")
	if c.StartupProbe != nil {
		probePort("startup", c.StartupProbe, "/healthz")
	}
	if !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool { return strconv.Itoa(int(cp.ContainerPort)) == port }) {
		t.Errorf("%s: declares no containerPort %s, where beianflow %s listens", where, port, r)
	}
	if a := p.meta.Annotations["prometheus.io/port"]; a != "" && a != port {
		t.Errorf("%s: prometheus.io/port %s, but /metrics is on %s", where, a, port)
	}
	grace := 30 * time.Second // Kubernetes' default
	if p.spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*p.spec.TerminationGracePeriodSeconds) * time.Second
	}
	var preStop time.Duration
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	need := preStop + cfg.ShutdownTimeout
	if r == "worker" {
		need = preStop + cfg.WorkerStopTimeout
	}
	if grace <= need {
		t.Errorf("%s: terminationGracePeriodSeconds %s, but stopping takes up to %s: the kubelet would kill it mid-shutdown", where, grace, need)
	}
}

func TestPodsAreHardenedAndSized(t *testing.T) {
	for dir, m := range overlays(t) {
		for _, p := range m.pods() {
			where := fmt.Sprintf("%s: %s %s", dir, p.kind, p.name)
			s := p.spec
			if s.AutomountServiceAccountToken == nil || *s.AutomountServiceAccountToken {
				t.Errorf("%s: mounts a service account token; no beianflow pod calls the Kubernetes API", where)
			}
			if s.ServiceAccountName != "" && m.serviceAccounts[s.ServiceAccountName] == nil {
				t.Errorf("%s: service account %q does not exist", where, s.ServiceAccountName)
			}
			podNonRoot := s.SecurityContext != nil && s.SecurityContext.RunAsNonRoot != nil && *s.SecurityContext.RunAsNonRoot
			for _, c := range s.Containers {
				cw := where + " container " + c.Name
				if c.Image != beianflowImage && !regexp.MustCompile(`:[^:/]+$`).MatchString(c.Image) {
					t.Errorf("%s: image %q has no tag", cw, c.Image)
				}
				if strings.HasSuffix(c.Image, ":latest") {
					t.Errorf("%s: image %q is not pinned", cw, c.Image)
				}
				if c.Image == beianflowImage && m.images[beianflowImage] == "" {
					t.Errorf("%s: no images entry sets the %s image's registry and tag", cw, beianflowImage)
				}
				sc := c.SecurityContext
				if sc == nil {
					t.Errorf("%s: no securityContext", cw)
					continue
				}
				if !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
					t.Errorf("%s: runAsNonRoot is not set", cw)
				}
				if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
					t.Errorf("%s: root file system is writable", cw)
				}
				if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
					t.Errorf("%s: allows privilege escalation", cw)
				}
				if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
					t.Errorf("%s: capabilities must drop ALL and add none", cw)
				}
				req, lim := c.Resources.Requests, c.Resources.Limits
				for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					if _, ok := req[res]; !ok {
						t.Errorf("%s: no %s request", cw, res)
					}
				}
				if _, ok := lim[corev1.ResourceMemory]; !ok {
					t.Errorf("%s: no memory limit", cw)
				}
				for res, q := range lim {
					if r, ok := req[res]; ok && r.Cmp(q) > 0 {
						t.Errorf("%s: %s request %s above its limit %s", cw, res, r.String(), q.String())
					}
				}
			}
		}
	}
}

func TestDisruptionBudgetsServicesAndAutoscalerSelectWhatTheyMean(t *testing.T) {
	for dir, m := range overlays(t) {
		byRole := map[string]*appsv1.Deployment{}
		for _, d := range m.deployments {
			where := dir + ": Deployment " + d.Name
			sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
			if err != nil || sel.Empty() {
				t.Errorf("%s: selector %v: %v", where, d.Spec.Selector, err)
				continue
			}
			if !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				t.Errorf("%s: its selector does not match its own pods' labels", where)
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				if r := role(c); r != "" {
					byRole[r] = d
				}
			}
		}
		for r := range roles {
			if byRole[r] == nil {
				t.Errorf("%s: no Deployment runs beianflow %s", dir, r)
			}
		}
		// The Deployments whose pods a selector picks.
		selected := func(where string, s *metav1.LabelSelector) []*appsv1.Deployment {
			sel, err := metav1.LabelSelectorAsSelector(s)
			if err != nil || sel.Empty() {
				t.Errorf("%s: selector %v: %v", where, s, err)
				return nil
			}
			var out []*appsv1.Deployment
			for _, d := range m.deployments {
				if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
					out = append(out, d)
				}
			}
			if len(out) != 1 {
				t.Errorf("%s: selects the pods of %d Deployments, want exactly one", where, len(out))
			}
			return out
		}

		protected := map[string]bool{}
		for _, pdb := range m.pdbs {
			for _, d := range selected(dir+": PodDisruptionBudget "+pdb.Name, pdb.Spec.Selector) {
				protected[d.Name] = true
			}
		}
		for _, r := range []string{"api", "worker"} {
			if d := byRole[r]; d != nil && !protected[d.Name] {
				t.Errorf("%s: no PodDisruptionBudget covers the %s pods", dir, r)
			}
		}

		for _, svc := range m.services {
			where := dir + ": Service " + svc.Name
			for _, d := range selected(where, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}) {
				for _, sp := range svc.Spec.Ports {
					tp := sp.TargetPort.String()
					if !slices.ContainsFunc(d.Spec.Template.Spec.Containers, func(c corev1.Container) bool {
						return slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool {
							return cp.Name == tp || strconv.Itoa(int(cp.ContainerPort)) == tp
						})
					}) {
						t.Errorf("%s: targetPort %s is no port of Deployment %s", where, tp, d.Name)
					}
				}
			}
		}

		worker := byRole["worker"]
		found := false
		for _, h := range m.hpas {
			where := dir + ": HorizontalPodAutoscaler " + h.Name
			ref := h.Spec.ScaleTargetRef
			d := m.deployments[ref.Name]
			if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || d == nil {
				t.Errorf("%s: scales %s %s %q, which is no Deployment here", where, ref.APIVersion, ref.Kind, ref.Name)
				continue
			}
			if d != worker {
				continue
			}
			found = true
			if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
				t.Errorf("%s: minReplicas below 2: a drain could leave no worker polling", where)
			}
			if h.Spec.MaxReplicas <= 2 {
				t.Errorf("%s: maxReplicas %d leaves nothing to scale", where, h.Spec.MaxReplicas)
			}
			if len(h.Spec.Metrics) == 0 {
				t.Errorf("%s: no metrics", where)
			}
			if d.Spec.Replicas != nil {
				t.Errorf("%s: Deployment %s sets replicas, which every apply would reset under the autoscaler", where, d.Name)
			}
			for _, mt := range h.Spec.Metrics {
				if mt.Resource != nil {
					for _, c := range d.Spec.Template.Spec.Containers {
						if _, ok := c.Resources.Requests[mt.Resource.Name]; !ok {
							t.Errorf("%s: scales on %s utilization, but container %s requests no %s", where, mt.Resource.Name, c.Name, mt.Resource.Name)
						}
					}
				}
			}
		}
		if worker != nil && !found {
			t.Errorf("%s: no HorizontalPodAutoscaler scales the workers (Deployment %s)", dir, worker.Name)
		}
		for _, r := range []string{"api", "codec-server"} {
			if d := byRole[r]; d != nil && (d.Spec.Replicas == nil || *d.Spec.Replicas < 2) {
				t.Errorf("%s: Deployment %s runs fewer than two replicas", dir, d.Name)
			}
		}
	}
}

func TestJobsMigrateAndRegisterTheSearchAttributes(t *testing.T) {
	want := searchAttributeFlags()
	for dir, m := range overlays(t) {
		var migrate, attributes bool
		for _, j := range m.jobs {
			where := dir + ": Job " + j.Name
			if rp := j.Spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
				t.Errorf("%s: restartPolicy %q", where, rp)
			}
			if j.Spec.BackoffLimit == nil {
				t.Errorf("%s: no backoffLimit", where)
			}
			for _, c := range j.Spec.Template.Spec.Containers {
				if role(c) == "migrate" {
					migrate = true
					if len(c.Args) != 1 {
						t.Errorf("%s: beianflow %v; migrate takes no arguments", where, c.Args)
					}
				}
				script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
				if strings.Contains(script, "search-attribute create") {
					attributes = true
					if got := searchAttributesIn(t, where, script); !slices.Equal(got, want) {
						t.Errorf("%s: registers %v, the workflows set %v", where, got, want)
					}
					// Kubernetes expands $(NAME) and $$ in args itself.
					if strings.Contains(script, "$$") || regexp.MustCompile(`\$\([A-Za-z_]`).MatchString(script) {
						t.Errorf("%s: $$ or $(NAME) in a script: Kubernetes rewrites them", where)
					}
				}
			}
		}
		if !migrate {
			t.Errorf("%s: no Job runs beianflow migrate", dir)
		}
		if !attributes {
			t.Errorf("%s: no Job registers the search attributes", dir)
		}
	}
}

func TestTheDocumentedSecretHasEveryKeyTheManifestsRead(t *testing.T) {
	doc := string(readRepoFile(t, "docs", "deployment.md"))
	block := regexp.MustCompile("(?s)create secret generic " + secretName + "(.*?)```").FindStringSubmatch(doc)
	if block == nil {
		t.Fatalf("docs/deployment.md: no `kubectl create secret generic %s` command", secretName)
	}
	documented := map[string]bool{}
	for _, k := range regexp.MustCompile(`--from-(?:file|literal)=([a-z0-9-]+)=`).FindAllStringSubmatch(block[1], -1) {
		documented[k[1]] = true
	}
	for dir, m := range overlays(t) {
		used := m.secretKeys()
		for k := range used {
			if !documented[k] {
				t.Errorf("%s: reads key %s of %s, which docs/deployment.md does not create", dir, k, secretName)
			}
		}
		for k := range documented {
			if !used[k] {
				t.Errorf("docs/deployment.md creates key %s of %s, which %s never reads", k, secretName, dir)
			}
		}
		if len(m.secrets) > 0 {
			t.Errorf("%s: a Secret in the manifests: secret values do not belong in the repository", dir)
		}
	}

	// The table of objects says which keys the roles that read only some
	// secrets mount: "| Job `beianflow-migrate` | ...; mounts only `a` |".
	only := map[string][]string{} // "Job beianflow-migrate" -> keys
	for _, row := range regexp.MustCompile("(?m)^\\| (Deployment|Job) `([a-z0-9-]+)`.*mounts only ([^|]*)\\|").FindAllStringSubmatch(doc, -1) {
		var keys []string
		for _, k := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(row[3], -1) {
			keys = append(keys, k[1])
		}
		slices.Sort(keys)
		only[row[1]+" "+row[2]] = keys
	}
	for dir, m := range overlays(t) {
		for _, p := range m.pods() {
			where := p.kind + " " + p.name
			partial := slices.ContainsFunc(p.spec.Containers, func(c corev1.Container) bool {
				_, ok := secretsRead[role(c)]
				return ok
			})
			documented, ok := only[where]
			switch {
			case !ok && partial:
				t.Errorf("docs/deployment.md: the row of %s does not say which keys of %s it mounts (\"mounts only `key`\")", where, secretName)
			case ok:
				var got []string
				for k := range p.secretKeys() {
					got = append(got, k)
				}
				slices.Sort(got)
				if !slices.Equal(got, documented) {
					t.Errorf("%s: %s mounts %v of %s, docs/deployment.md says only %v", dir, where, got, secretName, documented)
				}
			}
		}
	}
	if len(only) == 0 {
		t.Error("docs/deployment.md: no row of the objects' table says \"mounts only\"")
	}
}
