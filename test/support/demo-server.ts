import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';

export interface DemoServer {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The demo application as `npm start` runs it, on a free loopback port. `env` is applied for the start-up
 * only (the library and the demo read their settings then), e.g. faster broadcast intervals.
 */
export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { app, url, close: () => app.close() };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Reads Server-Sent Events from `url` until `count` data events arrived; the request is then destroyed. */
export async function readEvents(url: string, count: number, timeoutMs = 5_000, onOpen?: () => void): Promise<unknown[]> {
  const { get } = await import('node:http');
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    let buffer = '';
    const request = get(url, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      onOpen?.();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data !== '') events.push(JSON.parse(data));
          if (events.length >= count) {
            clearTimeout(timer);
            request.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`expected ${count} events from ${url}, got ${events.length}`));
    }, timeoutMs);
    request.on('error', (error) => {
      if (events.length < count) reject(error);
    });
  });
}
