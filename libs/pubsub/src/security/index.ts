export { canonicalJson, MAX_CANONICAL_DEPTH } from './canonical-serialisation.js';
export { normaliseSecretKeys } from './secret-keys.js';
export {
  PubSubSecurity,
  SIGNATURE_ALGORITHM,
  type PubSubSecurityOptions,
  type SecureMessageError,
  type SecureMessageResult,
  type SignedMessage,
} from './pubsub-security.js';
