import { Inject } from '@nestjs/common';
import { ERRORS } from '../error-messages.js';
import { PubSubError } from '../pubsub-error.js';
import { CHANNEL_CLASSES, type ChannelClass } from './channel-classes.js';
import { isChannelName, type ChannelName } from './channel-names.js';

/** The channel's class is its token, so `@InjectChannel('health')` and `HealthChannel` get the same instance. */
export function getChannelToken(name: ChannelName): ChannelClass {
  if (!isChannelName(name)) throw new PubSubError('unknown_channel', ERRORS.unknownChannel(name));
  return CHANNEL_CLASSES[name];
}

export function InjectChannel(name: ChannelName): PropertyDecorator & ParameterDecorator {
  return Inject(getChannelToken(name));
}
