// Generates docs/catalogue.md from the payload classes: every catalogue type with its channel, topics, factory,
// and each field's TypeScript type (from the class declaration), whether it is required and its validation rules
// (from class-validator's metadata storage, as publishing applies them) and its default (from the factory).
//
//   node scripts/generate-catalogue-docs.mjs            writes docs/catalogue.md (npm run docs:catalogue)
//   node scripts/generate-catalogue-docs.mjs --stdout   prints it instead (the freshness test compares the two)
//
// The library is compiled with swc (as jest does) into node_modules/.cache, so the script needs no prior build.
import { transformFile } from '@swc/core';
import { getMetadataStorage } from 'class-validator';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'libs/pubsub/src');
const MESSAGES = join(SOURCE, 'messages');
const OUTPUT = join(ROOT, 'docs/catalogue.md');

/**
 * The topics each type is published on: by the library itself (integration layer, broadcasters, transport) and
 * as documented in the catalogue of the original system. Any valid topic may be used; these are the conventions.
 */
const TOPICS = {
  system_config_changed: ['`config` (PubSubIntegration.broadcastSystemConfig; `opts.topic` overrides it)'],
  system_lifecycle_event: ['`lifecycle` (start-up `started`, shutdown `stopping`; PubSubIntegration.broadcastSystemLifecycle)'],
  feature_toggle_changed: ['`features`'],
  node_health_updated: ['`cluster:health` (health broadcaster)'],
  cluster_health_updated: ['`cluster:health` (health broadcaster; PubSubIntegration.broadcastClusterHealth)'],
  component_health_updated: [
    '`channel_health:<channel>` (health broadcaster, one per channel)',
    '`component_health` (PubSubIntegration.broadcastHealthUpdate)',
    '`<storeId>:health` (PubSubIntegration.broadcastStoreHealth)',
  ],
  health_check_completed: ['`<store>:health`'],
  performance_metric: ['`performance`', '`<component>` (PubSubIntegration.broadcastMetrics)'],
  throughput_metric: ['`throughput` (metrics broadcaster, one per channel)', '`emitter` (PubSubIntegration.broadcastMetrics)'],
  latency_metric: ['`latency` (metrics broadcaster, one per channel)'],
  resource_usage: ['`resource_usage`'],
  metric_alert: ['`performance`'],
  node_lifecycle_event: ['`node_lifecycle`'],
  process_lifecycle_event: ['`process_lifecycle` (PubSubIntegration.broadcastLifecycleEvent)'],
  supervision_event: ['`supervision`'],
  cluster_membership_changed: ['`cluster_membership` (transport membership: joins and leaves)'],
  system_alert: [
    '`system_alerts:warning`, `system_alerts:critical` (self-monitoring)',
    '`<alertType>` (PubSubIntegration.broadcastAlert)',
    '`critical`, `warnings`',
  ],
  alert_acknowledged: ['`notifications`'],
  alert_escalated: ['`escalations`'],
  notification_status: ['`notifications`'],
  data_change: ['`data_changes`', '`<eventType>` (PubSubIntegration.broadcastAuditEvent)'],
  admin_action: ['`admin_actions`'],
  access_log: ['`access_logs`'],
  compliance_event: ['`compliance`'],
  debug_trace: ['`debug_traces`', '`diagnostics` (PubSubIntegration.broadcastDiagnostic)'],
  performance_analysis: ['`performance_analysis`'],
  system_state: ['`system_state`'],
  error_analysis: ['`error_analysis`'],
  auth_event: ['`auth_events`'],
  access_violation: ['`access_violations` (the transport reports rejected frames here)'],
  security_alert: ['`security_alerts`'],
  session_event: ['`session_events`'],
  log_entry: ['`application_logs`, `system_logs`, `error_logs`'],
  log_summary: ['`application_logs`, `system_logs`'],
  log_filter_updated: ['`system_logs`'],
  log_rotation: ['`system_logs`'],
};

// ---- the classes as TypeScript declares them ----

function jsDocOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return docs
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Per source file: its payload classes, its defineMessage calls and the documented helper functions. */
function readSources() {
  const classes = new Map();
  const factories = new Map();
  const helpers = new Map();
  for (const name of readdirSync(MESSAGES)
    .filter((file) => file.endsWith('.messages.ts'))
    .sort()) {
    const file = ts.createSourceFile(name, readFileSync(join(MESSAGES, name), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      if (ts.isClassDeclaration(node) && node.name) {
        const fields = node.members.filter(ts.isPropertyDeclaration).map((member) => ({
          name: member.name.getText(file),
          optional: member.questionToken !== undefined,
          type: (member.type?.getText(file) ?? 'unknown').replace(/\s+/g, ' '),
          doc: jsDocOf(member),
        }));
        classes.set(node.name.text, { doc: jsDocOf(node), fields });
      } else if (ts.isFunctionDeclaration(node) && node.name) {
        helpers.set(node.name.text, jsDocOf(node));
      } else if (ts.isVariableStatement(node)) {
        for (const declaration of node.declarationList.declarations) helpers.set(declaration.name.getText(file), jsDocOf(node));
      }
      if (ts.isCallExpression(node) && node.expression.getText(file) === 'defineMessage') {
        const [type, , defaults, applicationDefaults] = node.arguments;
        factories.set(type.text, { defaults: defaultsOf(defaults, file), applicationDefaults: defaultsOf(applicationDefaults, file) });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { classes, factories, helpers };
}

function defaultsOf(literal, file) {
  if (literal === undefined) return new Map();
  return new Map(literal.properties.map((property) => [property.name.getText(file), property.initializer]));
}

/** A default as prose, from the expression the factory is defined with. */
function describeDefault(expression, helpers, fromApplication) {
  const text = expression.getText();
  if (fromApplication) {
    if (text === 'applicationNode') return "the publishing application's `nodeName` (filled on publish)";
    if (ts.isArrowFunction(expression)) return `\`${expression.body.getText()}\` of the publishing application (filled on publish)`;
  }
  if (text === 'emptyObject') return '`{}`';
  if (text === 'emptyList') return '`[]`';
  if (text === 'callTime') return 'time of the factory call';
  if (ts.isCallExpression(expression)) {
    const callee = expression.expression.getText();
    const [argument] = expression.arguments;
    if (callee === 'constant') return `\`${argument.getText()}\``;
    if (callee === 'generatedId') return `${argument ? `\`${argument.getText()}\` + ` : ''}16 hex characters, new per message`;
  }
  if (ts.isArrowFunction(expression) && !ts.isBlock(expression.body)) return `\`${expression.body.getText()}\``;
  if (ts.isIdentifier(expression) && helpers.get(text)) return helpers.get(text);
  throw new Error(`generate-catalogue-docs: no description for the default ${text}; document it`);
}

// ---- the rules as class-validator holds them ----

/** A rule of class-validator's metadata as prose; undefined for presence markers (they fill "required"). */
function describeRule(rule) {
  const [constraint] = rule.constraints ?? [];
  switch (rule.name ?? rule.type) {
    case 'isDefined':
    case 'isOptional':
    case 'conditionalValidation':
      return undefined;
    case 'isString':
      return 'string';
    case 'isNotEmpty':
      return 'not empty';
    case 'isBoolean':
      return 'boolean';
    case 'isObject':
      return 'object';
    case 'isArray':
      return 'array';
    case 'isNumber':
      return constraint?.allowNaN === false && constraint?.allowInfinity === false ? 'finite number' : 'number';
    case 'isIn':
      return `one of ${constraint.map((value) => `\`${value}\``).join(', ')}`;
    case 'isProcessId':
      return 'non-empty string or finite number';
    case 'isNumbersByName':
      return `object of finite numbers keyed by ${constraint.map((value) => `\`${value}\``).join(', ')}`;
    default:
      throw new Error(`generate-catalogue-docs: no description for the rule ${rule.name ?? rule.type}; add one`);
  }
}

function presenceOf(rules) {
  if (rules.some((rule) => rule.type === 'conditionalValidation' && rule.name === undefined)) return 'conditional (see above)';
  if (rules.some((rule) => rule.name === 'isOptional')) return 'no';
  return rules.some((rule) => rule.type === 'isDefined') ? 'yes' : 'no';
}

// ---- rendering ----

const cell = (text) => text.replace(/\|/g, '\\|');

function renderType(entry, factoryName, declaration, factory, helpers) {
  const rulesByField = new Map();
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(entry.payloadClass, '', true, false)) {
    rulesByField.set(rule.propertyName, [...(rulesByField.get(rule.propertyName) ?? []), rule]);
  }
  const lines = [`### ${entry.type}`, ''];
  const topics = TOPICS[entry.type];
  if (topics === undefined) throw new Error(`generate-catalogue-docs: no topics listed for ${entry.type}`);
  lines.push(`- payload class \`${entry.payloadClass.name}\`, factory \`${factoryName}(fields)\`, channel \`${entry.channel}\``);
  lines.push(`- topics: ${topics.join('; ')}`);
  if (declaration.doc) lines.push(`- ${declaration.doc}`);
  lines.push('', '| field | type | required | rules | default | notes |', '|---|---|---|---|---|---|');
  for (const field of declaration.fields) {
    const rules = rulesByField.get(field.name);
    if (rules === undefined) throw new Error(`generate-catalogue-docs: ${entry.payloadClass.name}.${field.name} has no rule`);
    const described = rules.map(describeRule).filter((text) => text !== undefined);
    let fallback;
    if (factory.applicationDefaults.has(field.name)) {
      fallback = describeDefault(factory.applicationDefaults.get(field.name), helpers, true);
    } else if (factory.defaults.has(field.name)) {
      fallback = describeDefault(factory.defaults.get(field.name), helpers, false);
    } else if (field.name === 'timestamp') {
      fallback = 'time of the factory call';
    }
    const row = [field.name, `\`${field.type}\``, presenceOf(rules), described.join(', ') || 'any value', fallback ?? '', field.doc];
    lines.push(`| ${row.map(cell).join(' | ')} |`);
  }
  rulesByField.forEach((_rules, name) => {
    if (!declaration.fields.some((field) => field.name === name)) throw new Error(`generate-catalogue-docs: rule for undeclared ${name}`);
  });
  return lines.join('\n');
}

function render(entries, factoryNames, sources) {
  const unlisted = Object.keys(TOPICS).filter((type) => !entries.some((entry) => entry.type === type));
  if (unlisted.length > 0) throw new Error(`generate-catalogue-docs: topics listed for unknown types ${unlisted.join(', ')}`);
  const channels = [...new Set(entries.map((entry) => entry.channel))];
  const out = [
    '# Message catalogue',
    '',
    '<!-- Generated by `npm run docs:catalogue` (scripts/generate-catalogue-docs.mjs) from the payload classes in',
    '     libs/pubsub/src/messages. Do not edit by hand: a test fails when this file is out of date. -->',
    '',
    `The ${entries.length} message types of the nine operational channels (the \`events\` channel has no catalogue: it`,
    'carries raw domain events). Each message is `{ type, payload }`, built by its factory and published with',
    '`channel.publish(topic, message)`:',
    '',
    '- Factories never throw, whatever they are given: a field they cannot read is left out, and validation on publish',
    '  refuses the result.',
    '- Publishing a catalogue type on its own channel validates the payload against its class: a missing required',
    '  field, a value outside its rules or a field the class does not declare is refused with `{ ok: false, reason:',
    "  'invalid_message', error }`, the error naming the field.",
    "- `node` (and LogSummary's `nodesReporting`) defaults to the publishing application's `nodeName`: factories",
    '  leave it out and each application fills in its own on publish.',
    '- "required" is checked on publish; a field given as `undefined` counts as not given, so its default applies.',
    '  An optional field may also be `null`.',
    '',
    '| channel | types |',
    '|---|---|',
    ...channels.map(
      (channel) =>
        `| ${channel} | ${entries
          .filter((entry) => entry.channel === channel)
          .map((entry) => `[${entry.type}](#${entry.type})`)
          .join(', ')} |`,
    ),
  ];
  for (const channel of channels) {
    out.push('', `## ${channel}`);
    for (const entry of entries.filter((candidate) => candidate.channel === channel)) {
      const declaration = sources.classes.get(entry.payloadClass.name);
      const factory = sources.factories.get(entry.type);
      if (declaration === undefined || factory === undefined) throw new Error(`generate-catalogue-docs: no source for ${entry.type}`);
      out.push('', renderType(entry, factoryNames.get(entry.type), declaration, factory, sources.helpers));
    }
  }
  return `${out.join('\n')}\n`;
}

// ---- loading the compiled classes ----

function listTypeScript(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listTypeScript(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

async function loadCatalogue() {
  const swc = JSON.parse(readFileSync(join(ROOT, 'swc.config.json'), 'utf8'));
  // Inside node_modules, so the compiled files resolve class-validator from the workspace (one metadata storage).
  const out = join(ROOT, 'node_modules/.cache/gater-catalogue-docs', String(process.pid));
  try {
    await Promise.all(
      listTypeScript(SOURCE).map(async (file) => {
        const { code } = await transformFile(file, { ...swc, sourceMaps: false, swcrc: false });
        const target = join(out, relative(SOURCE, file)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, code);
      }),
    );
    writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
    const registry = await import(pathToFileURL(join(out, 'messages/catalogue-registry.js')).href);
    const messages = await import(pathToFileURL(join(out, 'messages/index.js')).href);
    const factoryNames = new Map();
    for (const [group, factories] of Object.entries(messages).filter(([name]) => name.endsWith('Messages'))) {
      for (const [name, factory] of Object.entries(factories)) factoryNames.set(factory.type, `${group}.${name}`);
    }
    return { entries: registry.catalogueEntries(), factoryNames };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const { entries, factoryNames } = await loadCatalogue();
const markdown = render(entries, factoryNames, readSources());
if (process.argv.includes('--stdout')) {
  process.stdout.write(markdown);
} else {
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, markdown);
  console.log(`generate-catalogue-docs: ${relative(ROOT, OUTPUT)} (${entries.length} types)`);
}
