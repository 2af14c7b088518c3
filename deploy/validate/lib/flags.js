'use strict';
// The command-line flags the manifests pass to partnergraphd, partnerctl and
// etcd: collecting them from the rendered objects (container args and the
// --flagfile files they name in ConfigMaps), parsing the binaries' --help,
// and checking the first against the second.

const {spawnSync} = require('child_process');
const {ref, podTemplates, configMapFile} = require('./manifest');

function imageName(image) {
  const noDigest = String(image || '').split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const base = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return base.slice(lastSlash + 1);
}

function isServerContainer(container) {
  const command = container.command || [];
  if (command.length > 0) return /(^|\/)partnergraphd$/.test(command[0]);
  return imageName(container.image) === 'partnergraph';
}

function isEtcdContainer(container) {
  const command = container.command || [];
  if (command.length > 0) return /(^|\/)etcd$/.test(command[0]);
  return imageName(container.image) === 'etcd';
}

function isClientContainer(container) {
  const command = container.command || [];
  return command.length > 0 && /(^|\/)partnerctl$/.test(command[0]);
}

// Every partnergraphd container: [{obj, podSpec, container, where}].
function serverContainers(objects) {
  const out = [];
  for (const {obj, template, path} of podTemplates(objects)) {
    const podSpec = template.spec || {};
    (podSpec.containers || []).forEach((c, i) => {
      if (isServerContainer(c)) {
        out.push({obj, podSpec, container: c, where: `${ref(obj)}: ${path}.spec.containers[${i}]`});
      }
    });
  }
  return out;
}

function clientContainers(objects) {
  const out = [];
  for (const {obj, template, path} of podTemplates(objects)) {
    const podSpec = template.spec || {};
    (podSpec.containers || []).forEach((c, i) => {
      if (isClientContainer(c)) {
        out.push({obj, podSpec, container: c, where: `${ref(obj)}: ${path}.spec.containers[${i}]`});
      }
    });
  }
  return out;
}

// Every etcd container: [{obj, podSpec, container, where, flags,
// occurrences}]; flags maps each flag (--name=value or --name value) to its
// value, occurrences lists them in order as {name, value, source}.
function etcdContainers(objects) {
  const out = [];
  for (const {obj, template, path} of podTemplates(objects)) {
    const podSpec = template.spec || {};
    (podSpec.containers || []).forEach((c, i) => {
      if (!isEtcdContainer(c)) return;
      const where = `${ref(obj)}: ${path}.spec.containers[${i}]`;
      const words = (c.command || []).slice(1).map((w, j) => [w, `${where}.command[${j + 1}]`])
          .concat((c.args || []).map((w, j) => [w, `${where}.args[${j}]`]));
      const flags = new Map();
      const occurrences = [];
      for (let j = 0; j < words.length; j++) {
        const [word, source] = words[j];
        const m = /^--?([^=]+)(?:=([\s\S]*))?$/.exec(String(word));
        if (!m) continue;
        let value = m[2];
        if (value === undefined && j + 1 < words.length && !String(words[j + 1][0]).startsWith('-')) {
          value = String(words[++j][0]);
        }
        flags.set(m[1], value === undefined ? 'true' : value);
        occurrences.push({name: m[1], value, source});
      }
      out.push({obj, podSpec, container: c, where, flags, occurrences});
    });
  }
  return out;
}

// Splits "--name=value", "--name", "-name=value" into {name, value}; value
// is undefined for a bare flag.
function splitFlag(text) {
  const m = /^--?([^=]+)(?:=([\s\S]*))?$/.exec(text);
  if (!m) return undefined;
  return {name: m[1], value: m[2]};
}

// The flags one partnergraphd container is started with, in order:
// {occurrences: [{name, value, source}], values: Map (last one wins, as in
// Abseil), problems: [string]}. --flagfile is expanded from the ConfigMap
// files mounted into the container.
function collectServerFlags(objects, podSpec, container, where) {
  const occurrences = [];
  const problems = [];
  const add = (text, source) => {
    const flag = splitFlag(text);
    if (!flag) {
      problems.push(`${source}: ${JSON.stringify(text)} is not a flag (want --name=value)`);
      return;
    }
    occurrences.push({...flag, source});
    if (flag.name !== 'flagfile') return;
    for (const path of (flag.value || '').split(',').filter(Boolean)) {
      const content = configMapFile(objects, podSpec, container, path);
      if (content === undefined) {
        problems.push(`${source}: flagfile ${path}: not a file of a ConfigMap mounted into the container`);
        continue;
      }
      content.split('\n').forEach((raw, n) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) return;
        add(line, `${where}: flagfile ${path}:${n + 1}`);
      });
    }
  };
  (container.command || []).slice(1).forEach((a, i) => add(a, `${where}.command[${i + 1}]`));
  (container.args || []).forEach((a, i) => add(a, `${where}.args[${i}]`));
  const values = new Map();
  for (const o of occurrences) {
    if (o.name === 'flagfile') continue;
    let {name, value} = o;
    if (value === undefined) value = 'true';
    values.set(name, value);
  }
  return {occurrences, values, problems};
}

function runHelp(binary, args) {
  const r = spawnSync(binary, args, {encoding: 'utf8', timeout: 30000});
  if (r.error) throw new Error(`cannot run ${binary} ${args.join(' ')}: ${r.error.message}`);
  return `${r.stdout || ''}${r.stderr || ''}`;
}

// Flags of `partnergraphd --helpfull`, from main.cc files (the binary's own,
// also listed by --help) and Abseil's parser (--flagfile and friends):
// Map name -> {bool}.
function parseAbslHelp(text) {
  const known = new Map();
  let section = '';
  let current;
  for (const line of text.split('\n')) {
    const s = /^ {2}Flags from (.*):$/.exec(line);
    if (s) {
      section = s[1];
      current = undefined;
      continue;
    }
    const ours = /(^|\/)[a-z_]*main\.cc$/.test(section) || /absl\/flags\/parse\.cc$/.test(section);
    const f = /^ {4}--([A-Za-z0-9_]+) \(/.exec(line);
    if (f) {
      current = ours ? {name: f[1], text: ''} : undefined;
      if (current) known.set(current.name, {bool: false});
    }
    if (current) {
      current.text += line;
      if (/default: (true|false);/.test(current.text)) known.get(current.name).bool = true;
    }
  }
  return known;
}

function checkServerFlagName(known, name) {
  if (known.has(name)) return true;
  // Abseil's --noflag form of a bool flag.
  if (name.startsWith('no') && known.has(name.slice(2)) && known.get(name.slice(2)).bool) return true;
  return false;
}

// CLI11 help: {options: Map name -> {takesValue}, subcommands: Set}.
function parseCli11Help(text) {
  const options = new Map();
  const subcommands = new Set();
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\S.*:$/.test(line)) {
      section = line.slice(0, -1).trim();
      continue;
    }
    if (section === 'Options') {
      const m = /^ {2}(-[\w-]+(?:,-[\w-]+)*)( [A-Z][A-Z0-9_:]*)?/.exec(line);
      if (!m) continue;
      for (const n of m[1].split(',')) options.set(n, {takesValue: Boolean(m[2])});
    } else if (section === 'Subcommands') {
      const m = /^ {2}([a-z][\w-]*(?:, [a-z][\w-]*)*)(?: {2,}|$)/.exec(line);
      if (!m) continue;
      for (const n of m[1].split(', ')) subcommands.add(n);
    }
  }
  return {options, subcommands};
}

// etcd's help: "  --name 'default'" a flag -> Set of names.
function parseEtcdHelp(text) {
  const known = new Set();
  for (const line of text.split('\n')) {
    const m = /^ {2}--([a-z0-9-]+)(?: |$)/.exec(line);
    if (m) known.add(m[1]);
  }
  return known;
}

// Problems with the flags the manifests pass. `partnergraphd` and
// `partnerctl` are paths of the built binaries, `etcd` of the etcd server
// (optional: without it etcd's flags go unchecked).
function checkFlags(objects, {partnergraphd, partnerctl, etcd}) {
  const problems = [];
  const members = etcdContainers(objects);
  if (etcd && members.length > 0) {
    const known = parseEtcdHelp(runHelp(etcd, ['--help']));
    if (known.size === 0) problems.push(`${etcd} --help: no flags found in its output`);
    for (const {occurrences} of members) {
      for (const o of occurrences) {
        if (!known.has(o.name)) problems.push(`${o.source}: --${o.name}: unknown to etcd --help`);
      }
    }
  }
  const servers = serverContainers(objects);
  if (partnergraphd) {
    const known = parseAbslHelp(runHelp(partnergraphd, ['--helpfull']));
    if (known.size === 0) problems.push(`${partnergraphd} --helpfull: no flags found in its output`);
    for (const {obj, podSpec, container, where} of servers) {
      const collected = collectServerFlags(objects, podSpec, container, where);
      problems.push(...collected.problems);
      for (const o of collected.occurrences) {
        if (!checkServerFlagName(known, o.name)) {
          problems.push(`${o.source}: --${o.name}: unknown to partnergraphd --help`);
        }
      }
    }
  }
  if (partnerctl) {
    const top = parseCli11Help(runHelp(partnerctl, ['--help']));
    const subHelp = new Map();
    for (const {container, where} of clientContainers(objects)) {
      const args = container.args || [];
      // The command path ("apply", "company list") and its options.
      const path = [];
      let help = top;
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const here = `${where}.args[${i}]`;
        if (a.startsWith('-')) {
          const name = a.split('=')[0];
          const spec = help.options.get(name) || top.options.get(name);
          if (!spec) {
            problems.push(`${here}: ${name}: unknown to partnerctl ${path.concat(['--help']).join(' ')}`);
            continue;
          }
          if (spec.takesValue && !a.includes('=')) i++;
          continue;
        }
        if (help.subcommands.size === 0) continue;  // a positional argument
        if (!help.subcommands.has(a)) {
          problems.push(`${here}: ${a}: not a command of partnerctl ${path.concat(['--help']).join(' ')}`);
          break;
        }
        path.push(a);
        const key = path.join(' ');
        if (!subHelp.has(key)) subHelp.set(key, parseCli11Help(runHelp(partnerctl, path.concat(['--help']))));
        help = subHelp.get(key);
      }
      const sub = path.length > 0 ? path[0] : undefined;
      if (sub === undefined) problems.push(`${where}.args: no partnerctl command given`);
    }
  }
  return problems;
}

module.exports = {
  imageName,
  serverContainers,
  clientContainers,
  etcdContainers,
  collectServerFlags,
  parseAbslHelp,
  parseEtcdHelp,
  parseCli11Help,
  checkFlags,
  splitFlag,
};
