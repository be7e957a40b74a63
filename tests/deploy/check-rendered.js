// Checks Kubernetes objects rendered by `helm template` (or example files):
//  - every object validates against its schema: Kubernetes' own from npm
//    kubernetes-models, cert-manager's and Argo Rollouts' from their
//    @kubernetes-models packages (types and kinds; unknown fields are not
//    flagged by these schemas);
//  - with --values FILE (repeatable, merged as helm does: maps merge, the
//    later file wins, lists are replaced; give the chart's values.yaml
//    first): the propwatch chart's promises: one agent Deployment per region entry with the right labels,
//    node selector and tolerations; the coordinator StatefulSet with a
//    volume claim, gRPC or exec readiness/liveness probes and the security
//    contexts; the hook Job's annotations, and its propwatchctl command line
//    accepted by the real binary (--dry-run).
//
// usage: node check-rendered.js [--values F]... [--propwatchctl PATH] [--yaml-only] FILE...
// Modules come from $PROPWATCH_TOOLS/node_modules (default /opt/propwatch-tools).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const tools = path.join(process.env.PROPWATCH_TOOLS || '/opt/propwatch-tools', 'node_modules');
const YAML = require(path.join(tools, 'yaml'));

function merge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const isMap = (x) => x && typeof x === 'object' && !Array.isArray(x);
    out[k] = isMap(v) && isMap(base[k]) ? merge(base[k], v) : v;
  }
  return out;
}

const args = process.argv.slice(2);
let values = null;
let propwatchctl = null;
let yamlOnly = false;  // documents that are not Kubernetes objects
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--values') values = merge(values || {}, YAML.parse(fs.readFileSync(args[++i], 'utf8')) || {});
  else if (args[i] === '--propwatchctl') propwatchctl = args[++i];
  else if (args[i] === '--yaml-only') yamlOnly = true;
  else files.push(args[i]);
}

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

// apiVersion + kind -> the model class.
function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let base;
  if (group.endsWith('cert-manager.io')) base = path.join(tools, '@kubernetes-models/cert-manager', group, version);
  else if (group === 'argoproj.io') base = path.join(tools, '@kubernetes-models/argo-rollouts', group, version);
  else base = path.join(tools, 'kubernetes-models', group === '' ? '' : group, version);
  try {
    return require(path.join(base, kind))[kind];
  } catch (e) {
    return null;
  }
}

const objects = [];
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    check(doc.errors.length === 0, `${file}: YAML: ${doc.errors.map(String).join('; ')}`);
    const obj = doc.toJS();
    if (!obj || yamlOnly) continue;
    objects.push(obj);
    const name = `${file}: ${obj.kind}/${obj.metadata && obj.metadata.name}`;
    const Model = modelFor(obj.apiVersion, obj.kind);
    check(Model !== null, `${name}: no schema for ${obj.apiVersion} ${obj.kind}`);
    if (!Model) continue;
    try {
      new Model(obj).validate();
      checks++;
    } catch (e) {
      check(false, `${name}: schema: ${e.message}`);
    }
  }
}

// JSON with sorted keys: toYaml reorders maps.
function canonical(x) {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`).join(',')}}`;
  return JSON.stringify(x);
}

function podChecks(name, podSpec) {
  const psc = podSpec.securityContext || {};
  check(psc.runAsNonRoot === true, `${name}: pod securityContext.runAsNonRoot`);
  check(psc.runAsUser > 0, `${name}: pod securityContext.runAsUser non-root`);
  for (const c of [...(podSpec.initContainers || []), ...podSpec.containers]) {
    const sc = c.securityContext || {};
    check(sc.readOnlyRootFilesystem === true, `${name}/${c.name}: readOnlyRootFilesystem`);
    check(sc.allowPrivilegeEscalation === false, `${name}/${c.name}: allowPrivilegeEscalation false`);
    check(sc.capabilities && (sc.capabilities.drop || []).includes('ALL'), `${name}/${c.name}: capabilities drop ALL`);
    check(c.resources && c.resources.requests, `${name}/${c.name}: resource requests`);
  }
}

function chartChecks() {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const component = (o) => o.metadata.labels['app.kubernetes.io/component'];

  // Coordinator.
  const sts = byKind('StatefulSet');
  check(sts.length === 1, `one coordinator StatefulSet (got ${sts.length})`);
  for (const s of sts) {
    check(s.spec.replicas === 1, 'coordinator: one replica (one RocksDB)');
    const claim = (s.spec.volumeClaimTemplates || [])[0];
    check(claim && claim.metadata.name === 'data', 'coordinator: volume claim template "data"');
    const pod = s.spec.template.spec;
    const c = pod.containers[0];
    check((c.volumeMounts || []).some((m) => m.name === 'data' && m.mountPath === '/var/lib/propwatch'),
      'coordinator: data volume at /var/lib/propwatch');
    const tls = values.tls.enabled;
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const p = c[probe];
      check(p, `coordinator: ${probe}`);
      if (!p) continue;
      if (!tls) check(p.grpc && p.grpc.port === values.coordinator.port, `coordinator: ${probe} is a native grpc probe on the gRPC port`);
      else check(p.exec && p.exec.command[0].endsWith('coordinator-healthcheck.sh'), `coordinator: ${probe} is the TLS health check`);
    }
    const env = Object.fromEntries((c.env || []).map((e) => [e.name, e.value]));
    if (values.auth.controlTokenSecret) {
      check(env.PROPWATCH_CONTROL_TOKENS === '/etc/propwatch/control/control-tokens' &&
        (c.volumeMounts || []).some((m) => m.name === 'control-tokens' && m.mountPath === '/etc/propwatch/control') &&
        (pod.volumes || []).some((v) => v.name === 'control-tokens' && v.secret.secretName === values.auth.controlTokenSecret),
        'coordinator: control tokens from auth.controlTokenSecret');
    } else {
      check(!('PROPWATCH_CONTROL_TOKENS' in env), 'coordinator: no control tokens unless auth.controlTokenSecret');
    }
    podChecks('coordinator', pod);
  }
  const svc = byKind('Service').filter((s) => component(s) === 'coordinator' && s.spec.clusterIP !== 'None');
  check(svc.length === 1 && svc[0].spec.ports[0].port === values.coordinator.port, 'coordinator Service on the gRPC port');

  // Agents: one Deployment per regions entry.
  const deployments = byKind('Deployment').filter((d) => component(d) === 'agent');
  const regions = values.agents.regions;
  check(deployments.length === regions.length, `one agent Deployment per region entry (${deployments.length} for ${regions.length})`);
  for (const r of regions) {
    const id = (r.name || r.region).toLowerCase();
    const d = deployments.find((x) => x.spec.template.metadata.labels['propwatch.io/agent'] === id);
    check(d, `agent Deployment for ${id}`);
    if (!d) continue;
    const name = `agent ${id}`;
    const provider = r.provider || 'onprem';
    for (const labels of [d.metadata.labels, d.spec.template.metadata.labels]) {
      check(labels['propwatch.io/region'] === r.region, `${name}: label propwatch.io/region=${r.region}`);
      check(labels['propwatch.io/provider'] === provider, `${name}: label propwatch.io/provider=${provider}`);
    }
    check(d.spec.replicas === (r.replicas || 1), `${name}: replicas ${r.replicas || 1}`);
    const pod = d.spec.template.spec;
    check(canonical(pod.nodeSelector || {}) === canonical(r.nodeSelector || {}), `${name}: nodeSelector`);
    check(canonical(pod.tolerations || []) === canonical(r.tolerations || []), `${name}: tolerations`);
    const env = Object.fromEntries(pod.containers[0].env.map((e) => [e.name, e.value]));
    check(env.PROPWATCH_REGION === r.region, `${name}: PROPWATCH_REGION`);
    check(env.PROPWATCH_PROVIDER === provider, `${name}: PROPWATCH_PROVIDER`);
    check(pod.containers[0].readinessProbe, `${name}: readinessProbe`);
    podChecks(name, pod);
  }

  // The release gate.
  const jobs = byKind('Job');
  check(jobs.length === (values.verify.enabled ? 1 : 0), 'the hook Job iff verify.enabled');
  for (const j of jobs) {
    const a = j.metadata.annotations || {};
    const hooks = (a['helm.sh/hook'] || '').split(',');
    check(hooks.includes('post-install') && hooks.includes('post-upgrade'), 'Job: helm.sh/hook post-install,post-upgrade');
    check(a['helm.sh/hook-weight'] !== undefined, 'Job: helm.sh/hook-weight');
    check((a['helm.sh/hook-delete-policy'] || '').includes('before-hook-creation'), 'Job: helm.sh/hook-delete-policy');
    check(j.spec.backoffLimit === 0, 'Job: backoffLimit 0');
    const pod = j.spec.template.spec;
    check(pod.restartPolicy === 'Never', 'Job: restartPolicy Never');
    podChecks('verify Job', pod);
    const c = pod.containers[0];
    check(c.command[0] === 'propwatchctl' && c.args[0] === 'verify' && c.args.includes('--wait'), 'Job: propwatchctl verify ... --wait');
    for (const h of values.verify.hosts) check(c.args.includes(h), `Job: verifies ${h}`);
    if (propwatchctl) {
      // The real flag parser: the mounted CA path replaced by a readable file.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-'));
      const ca = path.join(dir, 'ca.crt');
      spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-subj', '/CN=propwatch-test-ca', '-days', '1', '-keyout', path.join(dir, 'ca.key'), '-out', ca]);
      const argv = c.args.map((x) => (x.startsWith('/etc/propwatch/') ? ca : x)).concat(['--dry-run']);
      const r = spawnSync(propwatchctl, argv, { encoding: 'utf8' });
      check(r.status === 0, `Job: propwatchctl ${c.args.join(' ')} --dry-run exits ${r.status}: ${r.stderr}`);
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.status === 0) {
        const req = JSON.parse(r.stdout);
        check(JSON.stringify(req.spec.hostnames) === JSON.stringify(values.verify.hosts), 'Job: the request names verify.hosts');
      }
    }
  }
}

if (values) chartChecks();
console.log(`check-rendered: ${objects.length} objects from ${files.length} file(s), ${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
