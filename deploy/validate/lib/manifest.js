'use strict';
// Loading a rendered manifest (the output of `kubectl kustomize`) and the
// lookups the checks share: objects by kind, pod specs, flag files.

const YAML = require('yaml');

// Parses multi-document YAML into plain objects. Throws with the document
// number when a document is not valid YAML or not a Kubernetes object.
function parseManifest(text) {
  const objects = [];
  const docs = YAML.parseAllDocuments(text);
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new Error(`document ${i + 1}: not valid YAML: ${doc.errors[0].message}`);
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return;
    if (typeof obj !== 'object' || Array.isArray(obj)) {
      throw new Error(`document ${i + 1}: want a Kubernetes object (a map)`);
    }
    objects.push(obj);
  });
  return objects;
}

// "StatefulSet/partnergraph", the name problems are reported under.
function ref(obj) {
  const name = (obj.metadata && obj.metadata.name) || '<unnamed>';
  return `${obj.kind || '<no kind>'}/${name}`;
}

function ofKind(objects, kind) {
  return objects.filter((o) => o.kind === kind);
}

// The pod template of a workload, with the path it is at.
const POD_TEMPLATE_PATHS = {
  StatefulSet: ['spec', 'template'],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function get(obj, path) {
  let cur = obj;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = cur[key];
  }
  return cur;
}

// [{obj, template, path}] for every object that runs pods.
function podTemplates(objects) {
  const out = [];
  for (const obj of objects) {
    const path = POD_TEMPLATE_PATHS[obj.kind];
    if (!path) continue;
    out.push({obj, template: get(obj, path) || {}, path: path.join('.')});
  }
  return out;
}

// Whether every label of `selector` (a map) is in `labels`.
function selects(selector, labels) {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels && labels[k] === v);
}

// The content of the file at `path` inside `container`, when it comes from
// a ConfigMap volume of the rendered manifest; undefined otherwise.
function configMapFile(objects, podSpec, container, path) {
  for (const mount of container.volumeMounts || []) {
    const dir = mount.mountPath.replace(/\/+$/, '');
    if (!path.startsWith(dir + '/')) continue;
    const volume = (podSpec.volumes || []).find((v) => v.name === mount.name);
    if (!volume || !volume.configMap) continue;
    const cm = ofKind(objects, 'ConfigMap').find(
        (c) => c.metadata && c.metadata.name === volume.configMap.name);
    if (!cm) continue;
    let key = path.slice(dir.length + 1);
    const item = (volume.configMap.items || []).find((it) => it.path === key);
    if (item) key = item.key;
    if (cm.data && typeof cm.data[key] === 'string') return cm.data[key];
  }
  return undefined;
}

// The volume whose mount holds `path` in `container`, or undefined.
function volumeHolding(podSpec, container, path) {
  let best;
  for (const mount of container.volumeMounts || []) {
    const dir = mount.mountPath.replace(/\/+$/, '');
    if (path !== dir && !path.startsWith(dir + '/')) continue;
    if (!best || dir.length > best.dir.length) best = {dir, mount};
  }
  if (!best) return undefined;
  const volume = (podSpec.volumes || []).find((v) => v.name === best.mount.name);
  return {mount: best.mount, volume};
}

module.exports = {
  parseManifest,
  ref,
  ofKind,
  get,
  podTemplates,
  selects,
  configMapFile,
  volumeHolding,
};
