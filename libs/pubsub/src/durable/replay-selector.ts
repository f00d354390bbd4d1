/**
 * Which retained messages a subscription asks for before it goes live (SubscribeOptions.replay): the last N
 * matches, those published at or after an epoch-ms time, or those after a message id.
 */
export type ReplaySelector = number | { sinceMs?: number; sinceId?: string };
