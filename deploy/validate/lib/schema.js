'use strict';
// Validation of every object against the Kubernetes OpenAPI schemas, offline,
// with the schemas compiled into the kubernetes-models package (types,
// required fields, enums), plus unknown fields (below). An object whose
// apiVersion/kind has no schema there is a problem too.

const {ref} = require('./manifest');

function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return undefined;
  let models;
  try {
    models = require(`kubernetes-models/${apiVersion}`);
  } catch (e) {
    return undefined;
  }
  const model = models[kind];
  return typeof model === 'function' ? model : undefined;
}

// JSON pointer "/spec/template/spec/containers/0/ports/0/containerPort" to
// "spec.template.spec.containers[0].ports[0].containerPort".
function fieldPath(pointer) {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(key)) out += `[${key}]`;
    else out += (out ? '.' : '') + key;
  }
  return out || '(object)';
}

function describe(error) {
  const where = fieldPath(error.instancePath || '');
  switch (error.keyword) {
    case 'required':
      return `${where === '(object)' ? '' : where + '.'}${error.params.missingProperty}: required field missing`;
    case 'type':
      return `${where}: want ${error.params.type}`;
    case 'enum':
      return `${where}: want one of ${JSON.stringify(error.params.allowedValues)}`;
    default:
      return `${where}: ${error.message}`;
  }
}

// Unknown fields. The OpenAPI schemas allow any extra property (the API
// server drops them, or rejects them under strict field validation), so a
// misspelled field would pass them. The field names come from the type
// declarations kubernetes-models generates from the same schemas.
const path = require('path');
const fs = require('fs');
const interfaces = new Map();

// Parses the properties of an interface or inline object type whose
// members are indented by `indent`, from lines[i]; returns {props, next}.
// props: Map name -> {map, nested}, nested being a .d.ts file, an inline
// {props}, or undefined for scalars.
function parseMembers(lines, i, indent, imports) {
  const props = new Map();
  const pad = ' '.repeat(indent);
  const member = new RegExp(`^${pad}"([^"]+)"\\??: (.*?);?$`);
  const mapValue = new RegExp(`^${pad} {4}\\[key: string\\]: (.*?);$`);
  const close = new RegExp(`^ {0,${indent - 4}}}`);
  for (; i < lines.length && !close.test(lines[i]); i++) {
    const m = member.exec(lines[i]);
    if (!m) continue;
    const type = m[2];
    const element = type.replace(/^(Array<)+/, '').replace(/>+$/, '');
    if (element !== '{') {
      props.set(m[1], {map: false, nested: imports.get(element)});
      continue;
    }
    const v = mapValue.exec(lines[i + 1] || '');
    if (v) {
      const value = v[1].replace(/^(Array<)+/, '').replace(/>+$/, '');
      props.set(m[1], {map: true, nested: imports.get(value)});
      i += 2;
      continue;
    }
    const inner = parseMembers(lines, i + 1, indent + 4, imports);
    props.set(m[1], {map: false, nested: {props: inner.props}});
    i = inner.next;
  }
  return {props, next: i};
}

// {props} of the interface a kubernetes-models .d.ts file exports.
function readInterface(file) {
  if (typeof file === 'object') return file;
  if (interfaces.has(file)) return interfaces.get(file);
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const resolved = require.resolve(m[2], {paths: [path.dirname(file)]});
    imports.set(m[1], resolved.replace(/\.js$/, '.d.ts'));
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^export interface I\w+ /.test(l));
  const parsed = {props: start < 0 ? new Map() : parseMembers(lines, start + 1, 4, imports).props};
  interfaces.set(file, parsed);
  return parsed;
}

function checkUnknownFields(value, file, where, problems) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkUnknownFields(v, file, `${where}[${i}]`, problems));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const {props} = readInterface(file);
  for (const [key, v] of Object.entries(value)) {
    const field = where ? `${where}.${key}` : key;
    const prop = props.get(key);
    if (!prop) {
      problems.push(`${field}: unknown field`);
      continue;
    }
    if (!prop.nested) continue;
    if (prop.map && v && typeof v === 'object') {
      for (const [k, mv] of Object.entries(v)) checkUnknownFields(mv, prop.nested, `${field}.${k}`, problems);
    } else {
      checkUnknownFields(v, prop.nested, field, problems);
    }
  }
}

function declarationFor(apiVersion, kind) {
  try {
    return require.resolve(`kubernetes-models/${apiVersion}/${kind}`).replace(/\.js$/, '.d.ts');
  } catch (e) {
    return undefined;
  }
}

// Returns problems as strings, "StatefulSet/x: spec.replicas: want integer".
function checkSchemas(objects) {
  const problems = [];
  for (const obj of objects) {
    const model = modelFor(obj.apiVersion, obj.kind);
    if (!model) {
      problems.push(`${ref(obj)}: schema: no Kubernetes schema for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}`);
      continue;
    }
    const declaration = declarationFor(obj.apiVersion, obj.kind);
    if (declaration && fs.existsSync(declaration)) {
      const unknown = [];
      checkUnknownFields(obj, declaration, '', unknown);
      for (const u of unknown) problems.push(`${ref(obj)}: schema: ${u}`);
    }
    try {
      new model(obj).validate();
    } catch (e) {
      const errors = Array.isArray(e.errors) ? e.errors : [{instancePath: '', message: e.message}];
      const seen = new Set();
      for (const err of errors) {
        const text = describe(err);
        if (seen.has(text)) continue;
        seen.add(text);
        problems.push(`${ref(obj)}: schema: ${text}`);
      }
    }
  }
  return problems;
}

module.exports = {checkSchemas, fieldPath};
