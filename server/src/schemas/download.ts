import { Type } from '@sinclair/typebox';
import { errorRef } from './common';

const bytes = (description: string) => ({
  description,
  content: {
    'application/octet-stream': { schema: Type.String({ format: 'binary' }) }
  }
});

/** What an artifact download can answer, for the OpenAPI document (the body itself is streamed). */
export const downloadResponses = {
  200: bytes('the artifact bytes; ETag and X-Checksum-Sha256 carry the sha256'),
  206: bytes('the requested byte range (Range: bytes=a-b)'),
  304: Type.Null({
    description: 'not modified (If-None-Match matched the ETag)'
  }),
  416: errorRef,
  500: errorRef
};
