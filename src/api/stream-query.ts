import { BadRequestException } from '@nestjs/common';
import { CHANNEL_NAMES, isValidPattern, type ChannelName } from '@gater/pubsub';

export interface StreamQuery {
  channel: ChannelName;
  pattern: string;
}

/** A 400 with a JSON body naming the parameter at fault. */
function badParameter(parameter: string, message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', parameter, message });
}

export function parseStreamQuery(channel: unknown, pattern: unknown): StreamQuery {
  if (typeof channel !== 'string' || !(CHANNEL_NAMES as readonly string[]).includes(channel)) {
    throw badParameter('channel', `channel must be one of ${CHANNEL_NAMES.join(', ')}, got ${JSON.stringify(channel ?? null)}`);
  }
  const wanted = pattern === undefined || pattern === '' ? '*' : pattern;
  if (typeof wanted !== 'string' || !isValidPattern(wanted)) {
    throw badParameter('pattern', `pattern must be a topic pattern such as 'cluster:*' or '*', got ${JSON.stringify(wanted)}`);
  }
  return { channel: channel as ChannelName, pattern: wanted };
}
