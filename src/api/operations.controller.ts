import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AlertMessages, AlertsChannel, PubSubConfigService, PubSubManager } from '@gater/pubsub';

/** What the dashboard reads once at load (then it follows the streams), and the buttons it presses. */
@Controller()
export class OperationsController {
  constructor(
    private readonly manager: PubSubManager,
    private readonly config: PubSubConfigService,
    private readonly alerts: AlertsChannel,
  ) {}

  @Get('pubsub/status')
  status() {
    return {
      node: this.manager.nodeName,
      nodes: this.manager.nodes(),
      integration: this.config.isEnabled(),
      healthBroadcastInterval: this.config.healthBroadcastInterval,
      metricsBroadcastInterval: this.config.metricsBroadcastInterval,
      channels: this.manager.stats(),
    };
  }

  @Post('pubsub/integration/enable')
  @HttpCode(200)
  enable() {
    this.config.enable();
    return { integration: this.config.isEnabled() };
  }

  @Post('pubsub/integration/disable')
  @HttpCode(200)
  disable() {
    this.config.disable();
    return { integration: this.config.isEnabled() };
  }

  /** Raises an operator alert on the alerts channel directly, so it works whether or not integration is on. */
  @Post('demo/alert')
  @HttpCode(202)
  raiseAlert(@Body() body?: { message?: unknown }) {
    const text =
      typeof body?.message === 'string' && body.message.trim() !== '' ? body.message.slice(0, 500) : 'Demo alert raised from the API';
    return this.alerts.publish(
      'system_alerts:warning',
      AlertMessages.systemAlert({ severity: 'warning', category: 'system', title: text, source: 'demo', node: this.manager.nodeName }),
    );
  }
}
