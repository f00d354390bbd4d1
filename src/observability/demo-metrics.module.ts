import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';

/** The application's Prometheus registry: one per application, so two demo apps in one process stay apart. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

@Module({
  providers: [{ provide: METRICS_REGISTRY, useFactory: () => new Registry() }],
  exports: [METRICS_REGISTRY],
})
export class DemoMetricsModule {}
