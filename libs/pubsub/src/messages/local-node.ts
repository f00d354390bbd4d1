import { hostname } from 'node:os';

/**
 * The node name that catalogue factories put in `node` when none is given. PubSubModule sets it from its
 * `nodeName` option; with several applications in one process the last one configured wins.
 */
let current = `${hostname()}-${process.pid}`;

export function defaultNodeName(): string {
  return `${hostname()}-${process.pid}`;
}

export function localNodeName(): string {
  return current;
}

export function setLocalNodeName(name: string): void {
  current = name;
}
