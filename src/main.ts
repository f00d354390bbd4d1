import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

// No HTTP server: a plain application context is enough for publishers and consumers.
// Set NEST_LOG_LEVEL (e.g. "warn") to quieten the consumers.
const logger = new Logger('Main');
try {
  const app = await NestFactory.createApplicationContext(AppModule, { abortOnError: false });
  // Ctrl-C (SIGINT) or SIGTERM: app.close() clears the timers and drains pending deliveries, then exit code 0.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  logger.log('Event store simulator running on ten channels, four consumers listening. Ctrl-C to stop.');
} catch (error) {
  logger.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
