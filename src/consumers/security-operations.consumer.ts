import { Injectable, Logger } from '@nestjs/common';
import { OnAlerts, OnAudit, OnSecurity, type PubSubMessage } from '@gater/pubsub';
import type { Alert, AuthFailure, UserAction } from '../demo-events.js';

/** Security operations center: security events, the audit trail and critical alerts only. */
@Injectable()
export class SecurityOperationsConsumer {
  private readonly logger = new Logger('SecurityOperations');
  received = 0;

  @OnSecurity('security_events:*')
  onSecurityEvent({ type, payload }: PubSubMessage<AuthFailure>): void {
    this.received++;
    this.logger.debug(
      `[simulated] ${type} for ${payload.userId} from ${payload.ipAddress} (${payload.reason}, attempt ${payload.metadata.attemptCount})`,
    );
  }

  @OnAudit('audit_trail:*')
  onAuditTrail({ topic, payload }: PubSubMessage<UserAction>): void {
    this.received++;
    this.logger.debug(`[simulated] ${topic}: ${payload.userId} ${payload.action} ${payload.resource}`);
  }

  @OnAlerts('system_alerts:critical')
  onCriticalAlert({ payload }: PubSubMessage<Alert>): void {
    this.received++;
    this.logger.debug(`${payload.source === undefined ? '[simulated] ' : ''}CRITICAL: ${payload.message ?? payload.title}`);
  }
}
