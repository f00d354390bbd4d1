// The channel layer's own files and the application's code name the vocabulary from here; the layers below
// channels/ (delivery, durable, error texts) import it from vocabulary/ itself.
export * from '../vocabulary/channel-names.js';
