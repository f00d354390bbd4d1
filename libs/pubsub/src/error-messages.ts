import { CHANNEL_NAMES } from './vocabulary/channel-names.js';

// Every error and refusal text of the library, so wording stays consistent and is easy to find.
/** A value as error texts show it: never throws, whatever it is, and keeps long strings short. */
export const show = (value: unknown): string => {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 80)}...` : value}'`;
  try {
    return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
  } catch {
    return typeof value;
  }
};

interface ArrivedMessage {
  topic: string;
  type: string;
}

const describeArrived = (arrived: readonly ArrivedMessage[]): string => {
  if (arrived.length === 0) return 'got none';
  const shown = arrived.slice(0, 5).map((m) => `${show(m.type)} on ${show(m.topic)}`);
  return `got ${arrived.length}: ${shown.join(', ')}${arrived.length > 5 ? ', ...' : ''}`;
};

export const ERRORS = {
  channelClosed: (channel: string) => `channel '${channel}' is closed (the application is shutting down)`,
  notAMessage: 'expected a type string or a { type, payload } message',
  messageWithoutType: "a message object needs a string 'type'",
  invalidTopic: (topic: unknown) =>
    `invalid topic ${show(topic)}: a topic is 1 to 1024 characters of ':'-separated, non-empty segments without '*', whitespace or control characters`,
  invalidType: (type: unknown) => `invalid type ${show(type)}: a type is a non-empty string of at most 256 characters`,
  invalidPublishOptions: 'publish options must be an object such as { local: true }',
  noPatterns: (channel: string) => `subscribe on channel '${channel}' needs at least one pattern`,
  invalidPattern: (pattern: unknown, channel: string, problem: string) =>
    `invalid pattern ${show(pattern)} on channel '${channel}': ${problem}`,
  handlerNotAFunction: (channel: string, patterns: unknown[]) =>
    `subscribe on channel '${channel}' (${patterns.join(', ')}) needs a handler function`,
  invalidSubscribeOptions: (channel: string, problem: string) => `invalid subscribe options on channel '${channel}': ${problem}`,
  unknownChannel: (name: unknown) => `unknown channel ${show(name)}; channels are ${CHANNEL_NAMES.join(', ')}`,
  handlerBinding: (className: string, method: string, problem: string) => `@gater/pubsub cannot bind ${className}.${method}: ${problem}`,
  nonStaticHandlerHost: (scope: string) =>
    `its class is ${scope}; decorated handlers need a singleton (default-scoped) provider or controller`,
  invalidOption: (name: string, problem: string) => `invalid @gater/pubsub configuration: ${name} ${problem}`,

  // Delivery, subscribe and publish-time input.
  subscribeOptionsNotAnObject: (options: unknown) => `options must be an object such as { retries: 3 }, got ${show(options)}`,
  unreadableSubscribeOptions: (problem: string) => `options could not be read: ${problem}`,
  unreadablePatterns: (channel: string, problem: string) => `subscribe on channel '${channel}' could not read its patterns: ${problem}`,
  invalidDrainTimeout: (timeoutMs: unknown, fallback: number) =>
    `drain(${show(timeoutMs)}) needs a number of milliseconds from 0 up (Infinity for no limit); waiting at most ${fallback} ms instead`,

  // Wire security and limits.
  redisNeedsSecret:
    "invalid @gater/pubsub configuration: the Redis transport needs a secret to sign its frames; set SECRET_KEY_BASE (or the secretKeyBase option), or opt out with transport: { type: 'redis', ..., allowUnsigned: true }",
  unsignedTransport: (bus: string) =>
    `no secretKeyBase: frames on ${bus} are not signed (transport.allowUnsigned), so anyone who can publish there can inject, replay and forge messages in any node's name`,
  invalidRedisUrl: (name: string, url: unknown) =>
    `invalid @gater/pubsub configuration: ${name} must be a redis:// or rediss:// URL, got ${show(url)}`,
  unserialisablePayload: (channel: string, type: string) =>
    `the payload of ${show(type)} on channel '${channel}' cannot be serialised to JSON (a cycle, a BigInt or a throwing toJSON), so other nodes could not receive it`,
  messageTooLarge: (channel: string, bytes: number, limit: number) =>
    `message on channel '${channel}' is ${bytes} bytes as JSON, more than maxMessageBytes (${limit}); send a reference to the data instead, or raise maxMessageBytes on every node`,

  // Transport faults and membership.

  // Message catalogue.
  payloadNotAnObject: 'payload must be an object',
  payloadNotValidated: (problem: string) => `payload could not be validated (${problem})`,
  unknownPayloadFields: (className: string, unknown: readonly string[], known: readonly string[]) => {
    const named = unknown.slice(0, 5).map(show).join(', ');
    const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
    return `unknown field${unknown.length === 1 ? '' : 's'} ${named}${more} (${className} has ${known.join(', ')})`;
  },

  // Module, discovery and typing.
  memoryHubDown: 'the memory hub is down',
  redisPublisherDown: (bus: string) => `Redis publisher not connected (${bus})`,
  redisNoCheckedPublish: (bus: string) =>
    `Redis server before 7.2 on one RESP3 connection (${bus}): a PUBLISH inside MULTI/EXEC would garble the reply; check checkedPublishes first`,
  notAnInteger: (option: string, value: unknown) => `${option} must be an integer, got ${String(value)}`,
  notAPositiveNumber: (option: string, value: unknown) => `${option} must be a positive number, got ${String(value)}`,
  cannotSignWithoutSecret: (method: string) =>
    `PubSubSecurity.${method}: no secretKeyBase is configured, so messages cannot be signed (check hasSecret() first)`,
  unsignableField: (field: string) => `PubSubSecurity.sign: the message has an invalid '${field}'`,
  unsignablePayload: (id: string) =>
    `PubSubSecurity.sign: the payload of message ${id} cannot be serialised to JSON (a cycle, a BigInt, a function, nesting too deep or a throwing getter)`,
  secretKeyNotText: (where: string, type: string) => `${where} must be a string (an HMAC key), got ${type}`,
  secondForRootDiffers: (paths: readonly string[]) =>
    `another PubSubModule.forRoot(...) in this application has different ${paths.join(', ')}; ignored: one application has one set of channels, built from the first forRoot options`,
  unboundHandler: (className: string, method: string, why: string) => `decorated ${className}.${method} is never bound: ${why}`,
  substitutedProvider: (token: string) =>
    `the provider of ${token} supplies another object (useValue, useFactory or useExisting) whose methods carry no decorators`,
  overriddenHandler: (subclass: string) => `${subclass} overrides it without the decorator; repeat the decorator on the override`,
  staticHandler: 'decorators bind instance methods, not static ones',
  eventEmitterModuleMissing: (cause: string) =>
    `@gater/pubsub: the eventEmitter option re-emits messages on the application's EventEmitter2, but none was found (${cause}); import EventEmitterModule.forRoot() from @nestjs/event-emitter in the application`,
  eventEmitterChannels: (got: unknown) => `must be { channels: [...] } with channel names (${CHANNEL_NAMES.join(', ')}), got ${show(got)}`,
  handlerHostNotCreated: 'its instance was not created',
  invalidIntervalSetting: (max: number, ms: unknown) => `needs a whole number of milliseconds from 1 to ${max}, got ${show(ms)}`,
  argumentNotAnObject: (name: string) => `${name} must be an object`,
  argumentNotText: (name: string) => `${name} must be a non-empty string`,
  nodeListsNotNames: 'connectedNodes and disconnectedNodes must be arrays of node names',
  ioredisMissing: (specifier: string, cause: string) =>
    `@gater/pubsub: the Redis transport (transport.type 'redis' or PUBSUB_REDIS_URL) needs the optional peer dependency '${specifier}', which could not be loaded (${cause}); install it with: npm install ${specifier}@^6`,
  integrationDisabled: 'the integration layer is disabled (PubSubConfigService.enable() or the integration option turns it on)',
  invalidWaitCount: (count: unknown) => `waitFor needs a whole number of messages (0 or more), got ${show(count)}`,
  waitTimedOut: (channel: string, patterns: string, count: number, timeoutMs: number, arrived: readonly ArrivedMessage[]) =>
    `expected ${count} message(s) on channel '${channel}' matching ${show(patterns)} within ${timeoutMs} ms, ${describeArrived(arrived)}`,
  recorderClosed: (channel: string, patterns: string, count: number, arrived: readonly ArrivedMessage[]) =>
    `recorder on channel '${channel}' matching ${show(patterns)} was unsubscribed before ${count} message(s) arrived, ${describeArrived(arrived)}`,

  // Performance and self-monitoring.

  // Durable delivery.
  needsRetention: (channel: string, option: string) =>
    `${option} on channel '${channel}' needs retention, which this channel does not keep; set channels.${channel}.retention (e.g. { maxMessages: 10_000, maxAgeMs: 86_400_000 })`,
  durableOnly: (option: string) => `${option} applies only to durable subscriptions; add durable: 'name' or remove ${option}`,
  invalidReplay: (replay: unknown) =>
    `replay must be a non-negative integer or { sinceMs?: epoch ms, sinceId?: message id }, got ${show(replay)}`,
  invalidDurableName: (name: unknown) => `durable must be a non-empty string naming the subscription, got ${show(name)}`,
  invalidRecentArguments: (channel: string, problem: string) => `recent() on channel '${channel}': ${problem}`,
  invalidPublishAndWaitTimeout: (timeoutMs: unknown) =>
    `publishAndWait timeoutMs must be a number of milliseconds from 0 up, got ${show(timeoutMs)}`,

  // Durable delivery across nodes (Redis Streams).
  durableRedisConnection: (role: string, cause: string) =>
    `durable redis streams: ${role} connection failed (${cause}); retrying, durable deliveries wait until it is back`,
  durableAppendFailed: (channel: string, count: number, cause: string) =>
    `durable redis streams: ${count} publication(s) on channel '${channel}' not appended to the stream (${cause}); counted in failed`,
  durableGroupFailed: (durable: string, key: string, cause: string) =>
    `durable redis streams: consumer group '${durable}' on stream '${key}' could not be created (${cause}); retried on reconnect`,
  durableReadFailed: (key: string, cause: string) => `durable redis streams: reading stream '${key}' failed (${cause}); retrying`,

  // Durable gate: stream entries only for channels with a durable group (markers, seeding).
  framesHeldByGate: (messages: number, reason: string, bus: string) =>
    `durable gate: a frame of ${messages} message(s) refused on ${bus} (${reason === 'seeding' ? 'a first durable group is being created on one of its channels' : reason === 'entries' ? 'a durable group now exists on one of its channels' : reason === 'changed' ? 'the durable state of one of its channels changed while it was checked' : 'behind an earlier refusal'}); held and re-sent in order, counted in framesRefused`,
  redisScriptNotLoaded: (bus: string, cause: string) =>
    `durable gate: a script could not be loaded on ${bus} (${cause}); it is sent with every call instead`,
  redisSubscriberDown: (bus: string) => `durable gate: redis subscriber not subscribed (${bus}); the first durable group waits for it`,
  durableSeedFailed: (durable: string, key: string, cause: string) =>
    `durable gate: seeding the first consumer group '${durable}' on stream '${key}' failed (${cause}); retried, publications resume without entries once its marker expires`,

  // Observability.
  missingPeer: (feature: string, specifier: string, range: string, cause: string) =>
    `@gater/pubsub: ${feature} needs the optional peer dependency '${specifier}', which could not be loaded (${cause}); install it with: npm install ${specifier}@'${range}'`,
  peerWithoutExport: (specifier: string, name: string, range: string) =>
    `@gater/pubsub: '${specifier}' was loaded but exports no ${name}; install ${specifier}@'${range}'`,
  metricNameTaken: (name: string) =>
    `metrics: the registry already has a metric named '${name}' that @gater/pubsub did not register; pass metrics.registry with a registry of its own`,
  metricLabelsDiffer: (name: string, labels: string[]) =>
    `metrics: another application reports '${name}' on this registry with the constant labels [${labels.join(', ')}]; use the same label names in metrics.labels, or a registry of its own`,
  metricsAlreadyReported: (name: string, labels: Record<string, string>) =>
    `metrics: another application already reports '${name}' on this registry with the labels ${JSON.stringify(labels)}; give each application its own metrics.registry or distinct metrics.labels`,
  invalidHeaders: (problem: string) => `invalid headers: ${problem}; headers are a plain object of string values`,

  // Composition: how the core is wired (core/pubsub-core.ts).
  transportNotBound: 'transport used before its bind step: call bind(channels, alert) once the channels exist, before start()',
  transportBoundTwice: 'transport bound twice: bind(channels, alert) is called once, with the one channel set it serves',
};
