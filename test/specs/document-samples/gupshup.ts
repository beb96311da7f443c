/**
 * Gupshup's document (gupshup.txt, "Limited Time Offer- LTO"): its samples as printed. See ./types.ts.
 */
import type { DocumentSample } from './types.ts';

const SEND = 'POST /wa/api/v1/template/msg';
const FORM = 'application/x-www-form-urlencoded';

/** The cURL's form lines, as printed. */
export const GUPSHUP_CURL = String.raw`curl --location '{{api_front_base_url}}/wa/api/v1/template/msg' \
--header 'apikey: {{apiKey}}' \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode 'channel=whatsapp' \
--data-urlencode 'source={{source phone number}}' \
--data-urlencode 'destination={{destination phone number}}' \
--data-urlencode 'src.name={{app_name}}' \
--data-urlencode 'template={"id":"{{template_id}}","params":{{template_params_list}},"expiration":{{expiration_time_in_UNIX_timestamp_in_milliseconds.}} }' \
--data-urlencode 'message={{message}}' \
--data-urlencode 'postbackTexts=[{"index":<qr_btn_index>,"text":"<postback_text>"}]'`;

/** Each placeholder filled from the Example column of its table. */
const FILLED_FROM_TABLES = {
  '{{source phone number}}': '919163xxxxx3',
  '{{destination phone number}}': '917839xxxxx3',
  '{{app_name}}': 'DemoApp',
  '{{template_id}}': 'template_id',
  '{{template_params_list}}': '["param1", "param2"]',
  '{{expiration_time_in_UNIX_timestamp_in_milliseconds.}}': '1644912000000',
  // "Image Header" table: type image, an image object with the id example.
  '{{message}}': '{"type":"image","image":{"id":"<image_media_id>"}}',
  '<qr_btn_index>': '0',
  '<postback_text>': 'hello',
};

export const gupshupSamples: DocumentSample[] = [
  {
    where: 'cURL (placeholders filled from the tables: image header by id)',
    against: { request: SEND, mediaType: FORM },
    printed: GUPSHUP_CURL,
    format: 'form',
    placeholders: FILLED_FROM_TABLES,
  },
  {
    where: 'cURL (message: the Image Header table by link)',
    against: { request: SEND, mediaType: FORM },
    printed: GUPSHUP_CURL,
    format: 'form',
    placeholders: {
      ...FILLED_FROM_TABLES,
      '{{message}}': '{"type":"image","image":{"link":"<image_media_url>"}}',
      '<image_media_url>': 'https://example.com/offer.jpg',
    },
  },
  {
    where: 'cURL (message: the Video Header table, by id and by link)',
    against: { request: SEND, mediaType: FORM },
    printed: GUPSHUP_CURL,
    format: 'form',
    placeholders: {
      ...FILLED_FROM_TABLES,
      '{{message}}': '{"type":"video","video":{"id":"<video_media_id>","link":"<video_media_url>"}}',
      '<video_media_url>': 'https://example.com/offer.mp4',
    },
  },
  {
    where: 'Template Object table: the Example column',
    against: { request: SEND, mediaType: FORM },
    value: {
      channel: 'whatsapp',
      source: '919163xxxxx3',
      'src.name': 'DemoApp',
      destination: '917839xxxxx3',
      template: { id: 'template_id', params: ['param1', 'param2'], expiration: 1644912000000 },
      postbackTexts: [{ index: 0, text: 'hello' }],
    },
  },
  {
    where: 'Status Codes: 202',
    against: { response: SEND, status: '202' },
    printed: '{ "status": "success", "messageId": "message id" }',
  },
  {
    where: 'Status Codes: 400',
    against: { response: SEND, status: '400' },
    printed: '{ "status": "error", "message": "Invalid Destination" }',
  },
  {
    where: 'Status Codes: 401',
    against: { response: SEND, status: '401' },
    printed: '{ "status": "error", "message": "Authentication Failed" }',
  },
];
