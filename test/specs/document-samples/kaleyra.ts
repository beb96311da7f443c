/**
 * Kaleyra's document (kaleyra.txt, "Send Limited Time Offer Template Messages"): its samples as
 * printed. See ./types.ts.
 */
import type { DocumentSample } from './types.ts';

const SEND = 'POST /v2/{sid}/whatsapp/{phone_number}/messages';

/** "Sample Request Format": the text of the cURL's `-d '…'` argument, from its opening quote to its last. */
export const KALEYRA_SAMPLE_REQUEST = `{
"messaging_object": {
"messaging_product": "whatsapp",
"recipient_type": "individual",
"to": "+91xxxxxxxxx",
"type": "template",
"template": {
"name": "LTO_template",
"language": {
"code": "en_US"
},
"components": [
{
"type": "header",
"parameters": [
{
"type": "image",
"image": {
"id": "1602186516975000"
}
}
]
},
{
"type": "body",
"parameters": [
{
"type": "text",
"text": "Pablo"
},
{
"type": "text",
"text": "CARIBE25"
}
]
},
{
"type": "limited_time_offer",
"parameters": [
{
"type": "limited_time_offer",
"limited_time_offer": {
"expiration_time_ms": 1209600000
}
}
]
},
{
"type": "button",
"sub_type": "copy_code",
"index": 0,
"parameters": [
{
"type": "coupon_code",
"coupon_code": "CARIBE25"
}
]
},
{
"type": "button",
"sub_type": "url",
"index": 1,
"parameters": [
{
"type": "text",
"text": "n3mtql"
}
]
}
]
}
}',
"extra_info": {
"ref": "customer1",
"ref1": "marketing",
"ref2": "dictionary",
"wa_source": "api"
}
}`;
export const KALEYRA_SAMPLE_202 = `{
"code":"WA202"
"message":"Request Accepted",
"data":{
"message_id":"AXXXXXXXXXXXXXXXXXXX"
}
"error":{}
}`;
export const KALEYRA_ERROR_SAMPLES: ReadonlyArray<[heading: string, printed: string]> = [
  [
    '401 Unauthorized',
    `{
"code": "RBC001",
"message": "Incorrect SID or API key.",
"data": [],
"error": {
"error": "Incorrect SID or API key."
}
}`,
  ],
  [
    '401 Unauthorized phone number',
    `{
"code": "WA401",
"message": "Phone number is not present or does not belong to the account.",
"data": {},
"error": {
"phone_number": "Phone number is not present or does not belong to the account."
}
}`,
  ],
  [
    '400 Incorrect payload',
    `{
"code": "WA400",
"message": "Refer to correct payload format",
"data": {},
"error": {
"payload": "Incorrect payload format"
}
}`,
  ],
  [
    '500 Internal Server Error',
    `{
"code": "WA500",
"message": "Please try again later",
"data": {},
"error": {
"error": "Internal server error"
}
}`,
  ],
  [
    '400 Low balance',
    `{
"code": "E110",
"message": "Please check your balance, You have a low balance!",
"data": {},
"error": {
"balance": "Please check your balance, You have a low balance!"
}
}`,
  ],
  [
    '401 Unauthorised Account type',
    `{
"code": "WA-401",
"message": "API is not available for given customer.Please contact support for more info",
"data": {},
"error": {
"account": "API is not available for given customer.Please contact support for more info"
}
}`,
  ],
  [
    '401 Unauthorized phone number version',
    `{
"code": "WA-401",
"message": "The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint.",
"data": {},
"error": {
"phone_number": "The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint."
}
}`,
  ],
];

const ERROR_STATUS: Record<string, string> = { '401': '401', '400': '400', '500': '500' };

export const kaleyraSamples: DocumentSample[] = [
  {
    where: 'Sample Request Format (the -d body)',
    against: { request: SEND },
    printed: KALEYRA_SAMPLE_REQUEST,
    // Nine masked digits, as printed: "+91xxxxxxxxx".
    placeholders: { '+91xxxxxxxxx': '+91900001234' },
    contradiction: {
      quote: `}',\n"extra_info": {`,
      reads:
        'the quote after messaging_object closes the -d argument, so extra_info falls outside the JSON body (the Request Format block ' +
        'shows it inside); the stray quote removed, the body is the one the rest of the document describes',
      mend: (filled) => filled.replace(`}',\n"extra_info": {`, `},\n"extra_info": {`),
    },
  },
  {
    where: 'Sample Request Format (URL: the SID)',
    against: { parameter: SEND, in: 'path', name: 'sid' },
    printed: 'xxxx1691385017IN',
    format: 'text',
  },
  {
    where: 'Sample Request Format (URL: the phone number, E.164 with "+")',
    against: { parameter: SEND, in: 'path', name: 'phone_number' },
    printed: '+xxxx14497xxx',
    format: 'text',
    placeholders: { '+xxxx14497xxx': '+919014497123' },
  },
  {
    where: 'URL Parameters and Headers table: phone_number example (no "+")',
    against: { parameter: SEND, in: 'path', name: 'phone_number' },
    printed: 'XX998XX170XX',
    format: 'text',
    placeholders: { XX998XX170XX: '919980017012' },
  },
  {
    where: 'Field tables: the Example column of each field, in the sample’s structure',
    against: { request: SEND },
    value: {
      messaging_object: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16XXXXXX234',
        type: 'template',
        template: {
          name: 'LTO_template',
          language: { code: 'en_US' },
          components: [
            // 'image' table: id "Numeric", example 1602186516975000.
            { type: 'header', parameters: [{ type: 'Image', image: { id: 1602186516975000 } }] },
            { type: 'body', parameters: [{ type: 'text', text: 'Pablo' }] },
            {
              type: 'limited_time_offer',
              parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1209600000 } }],
            },
            { type: 'Button', sub_type: 'copy_code', index: 0, parameters: [{ type: 'coupon_code', coupon_code: '2532334' }] },
            { type: 'Button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'n3mtql' }] },
          ],
        },
      },
      extra_info: { ref: 'customer1', ref1: 'marketing', ref2: 'dictionary', wa_source: 'api' },
    },
    placeholders: { '16XXXXXX234': '16123456234' },
    contradiction: {
      breaks: 'schema',
      quote: '"type":"Image"',
      reads:
        'the tables\' Example column writes the header parameter type "Image" and the button component type "Button", where ' +
        'the sample (and Meta) send "image" and "button"; the rows name the kind, the sample shows the wire value: the spec ' +
        'follows the sample',
      mend: (filled) => filled.replace('"type":"Image"', '"type":"image"').replaceAll('"type":"Button"', '"type":"button"'),
    },
  },
  {
    where: 'Sample Success Response (202 Accepted)',
    against: { response: SEND, status: '202' },
    printed: KALEYRA_SAMPLE_202,
    contradiction: {
      quote: `"code":"WA202"\n"message"`,
      reads: 'two commas are missing (after "code":"WA202" and after the data object), so the sample is not JSON',
      mend: (filled) => filled.replace(`"WA202"\n`, `"WA202",\n`).replace(`}\n"error"`, `},\n"error"`),
    },
  },
  ...KALEYRA_ERROR_SAMPLES.map(
    ([heading, printed]): DocumentSample => ({
      where: `Sample Failure Response: ${heading}`,
      against: { response: SEND, status: ERROR_STATUS[heading.slice(0, 3)]! },
      printed,
    }),
  ),
];
