/** Announced in the system lifecycle events; kept equal to libs/pubsub/package.json by a unit test. */
export const LIBRARY_NAME = 'gater_pubsub';
export const LIBRARY_VERSION = '0.1.0';
