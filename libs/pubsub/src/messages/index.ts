export * from './alert.messages.js';
export * from './audit.messages.js';
export {
  CATALOGUE,
  findPayloadClass,
  type CatalogueMessageType,
  type CataloguePayloads,
  type OperationalChannel,
} from './catalogue-registry.js';
export { isCatalogueMessage, validateCatalogueMessage } from './catalogue.js';
export * from './diagnostics.messages.js';
export * from './health.messages.js';
export * from './lifecycle.messages.js';
export * from './logging.messages.js';
export { type CatalogueMessage, type FactoryInput, type MessageFactory, type PayloadClass } from './message-factory.js';
export * from './metrics.messages.js';
export { QUORUM_STATUSES, SEVERITY_LEVELS, type QuorumStatus, type SeverityLevel } from './payload-rules.js';
export * from './security.messages.js';
export * from './system.messages.js';
