import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { PubSubModule, type PubSubModuleOptions } from '@gater/pubsub';

/**
 * Redis without a secret, as the fault and attack suite needs: `allowUnsigned` is the opt-out the transport
 * requires for that (spread in, so the suite compiles whether or not the option is declared yet).
 */
export const UNSIGNED = { allowUnsigned: true } as object;

/** Counts (and keeps the text of) every call to the application's logger. */
export class CountingLogger implements LoggerService {
  readonly lines: string[] = [];
  calls = 0;
  private chars = 0;

  log(message: unknown): void {
    this.record('log', message);
  }
  warn(message: unknown): void {
    this.record('warn', message);
  }
  error(message: unknown): void {
    this.record('error', message);
  }
  debug(): void {}
  verbose(): void {}

  /** Characters written so far. */
  get size(): number {
    return this.chars;
  }

  private record(level: string, message: unknown): void {
    const text = `${level}: ${String(message)}`;
    this.calls++;
    this.chars += text.length;
    // Counts and size of everything; the text of the first few thousand lines only (a flood must not make
    // the test itself run out of memory).
    if (this.lines.length < 5_000) this.lines.push(text.length > 500 ? `${text.slice(0, 500)}...` : text);
  }
}

/** A Nest application with PubSubModule on a Redis server, its logger counted. */
export async function startRedisApp(url: string, prefix: string, options: PubSubModuleOptions = {}, logger = new CountingLogger()) {
  const app: TestingModule = await Test.createTestingModule({
    imports: [PubSubModule.forRoot({ integration: false, transport: { type: 'redis', url, prefix, ...UNSIGNED }, ...options })],
  })
    .setLogger(logger)
    .compile();
  await app.init();
  return { app, logger };
}
