import { hostname } from 'node:os';

/** The node name of an application whose options name none: unique per host and process. */
export function defaultNodeName(): string {
  return `${hostname()}-${process.pid}`;
}
