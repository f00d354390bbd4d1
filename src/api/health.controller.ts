import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { PubSubHealthIndicator } from '@gater/pubsub';

/** Terminus health check with the library's indicator: up while channels are open and the transport is connected. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pubsub: PubSubHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.pubsub.isHealthy('pubsub')]);
  }
}
