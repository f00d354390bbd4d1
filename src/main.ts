import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, CONSUMERS } from './app.module.js';
import { demoLogLevels, demoPort } from './demo-settings.js';

// The dashboard and its API on http://localhost:PORT (default 3000). DEMO_LOG_LEVEL=debug shows the simulated
// traffic the consumers receive; by default the console shows the library's own work.
const logger = new Logger('Main');
try {
  const app = await NestFactory.create(AppModule, { abortOnError: false, logger: demoLogLevels(), forceCloseConnections: true });
  // Ctrl-C (SIGINT) or SIGTERM: app.close() clears the timers and drains pending deliveries, then exit code 0;
  // open dashboard streams are cut (forceCloseConnections) rather than holding the shutdown.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  await app.listen(demoPort());
  logger.log(
    `Dashboard on ${(await app.getUrl()).replace('[::1]', 'localhost')}; simulated event store on ten channels, ` +
      `${CONSUMERS.length} consumers listening. Ctrl-C to stop.`,
  );
} catch (error) {
  logger.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
