/**
 * LiveTok's document (livetok.txt, "API Reference"): its samples as printed — the cURL bodies and
 * JSON answers verbatim, the SDK calls (JavaScript and Python literals) transcribed to their
 * values. See ./types.ts.
 */
import type { DocumentSample } from './types.ts';

const SEND = 'POST /v1/messages/templates';
const appointmentConfirmation = {
  to: '+1234567890',
  template_name: 'appointment_confirmation',
  template_language: 'en_US',
  template_parameters: [
    { type: 'text', text: 'John Doe' },
    { type: 'text', text: 'March 16, 2024' },
    { type: 'text', text: '2:00 PM' },
  ],
};
const appointmentReminder = { to: '+1234567890', template_name: 'appointment_reminder', template_language: 'en_US' };

export const livetokSamples: DocumentSample[] = [
  {
    where: 'Basic Template (request)',
    against: { request: SEND },
    printed: `{
"to": "+1234567890",
"template_name": "appointment_reminder",
"template_language": "en_US"
}`,
  },
  {
    where: 'Basic Template (response)',
    against: { response: SEND, status: '200' },
    printed: `{
"id": "msg_abc123",
"status": "sent",
"to": "+1234567890",
"template_name": "appointment_reminder",
"created_at": "2024-03-15T10:30:00Z"
}`,
  },
  {
    where: 'Template with Parameters (request)',
    against: { request: SEND },
    printed: `{
"to": "+1234567890",
"template_name": "appointment_confirmation",
"template_language": "en_US",
"template_parameters": [
{
"type": "text",
"text": "John Doe"
},
{
"type": "text",
"text": "March 16, 2024"
},
{
"type": "text",
"text": "2:00 PM"
}
]
}`,
  },
  {
    where: 'Template with Parameters (response)',
    against: { response: SEND, status: '200' },
    printed: `{
"id": "msg_def456",
"status": "sent",
"to": "+1234567890",
"template_name": "appointment_confirmation",
"template_parameters": [
{"type": "text", "text": "John Doe"},
{"type": "text", "text": "March 16, 2024"},
{"type": "text", "text": "2:00 PM"}
],
"created_at": "2024-03-15T10:30:00Z"
}`,
  },
  {
    where: 'Template with Media (request)',
    against: { request: SEND },
    printed: `{
"to": "+1234567890",
"template_name": "product_announcement",
"template_language": "en_US",
"template_parameters": [
{
"type": "image",
"image": {
"link": "https://yoursite.com/product.jpg"
}
},
{
"type": "text",
"text": "Premium Package"
},
{
"type": "text",
"text": "$99.99"
}
]
}`,
  },
  {
    where: 'Template with Media (response)',
    against: { response: SEND, status: '200' },
    printed: `{
"id": "msg_ghi789",
"status": "sent",
"to": "+1234567890",
"template_name": "product_announcement",
"created_at": "2024-03-15T10:30:00Z"
}`,
  },
  {
    where: 'Template with Buttons (request)',
    against: { request: SEND },
    printed: `{
"to": "+1234567890",
"template_name": "appointment_reminder_buttons",
"template_language": "en_US",
"template_parameters": [
{
"type": "text",
"text": "Dr. Smith"
},
{
"type": "text",
"text": "March 16, 2024 at 2:00 PM"
}
]
}`,
  },
  {
    where: 'Error Response Format (400, invalid_phone_number)',
    against: { response: SEND, status: '400' },
    printed: `{
"error": {
"type": "invalid_request_error",
"code": "invalid_phone_number",
"message": "The phone number provided is invalid",
"param": "to",
"doc_url": "https://docs.livetok.ai/errors#invalid_phone_number"
}
}`,
  },
  {
    where: 'Common Errors: Invalid API Key (401)',
    against: { response: SEND, status: '401' },
    printed: `{
"error": {
"type": "authentication_error",
"code": "invalid_api_key",
"message": "Invalid API key provided"
}
}`,
  },
  {
    where: 'Common Errors: Template Not Found (404)',
    against: { response: SEND, status: '404' },
    printed: `{
"error": {
"type": "invalid_request_error",
"code": "template_not_found",
"message": "The template 'appointment_reminder' does not exist or is not approved"
}
}`,
  },
  {
    where: 'Common Errors: Invalid Phone Number (400)',
    against: { response: SEND, status: '400' },
    printed: `{
"error": {
"type": "invalid_request_error",
"code": "invalid_phone_number",
"message": "Phone number must be in E.164 format (e.g., +1234567890)"
}
}`,
  },
  {
    where: 'Common Errors: Rate Limit Exceeded (429)',
    against: { response: SEND, status: '429' },
    printed: `{
"error": {
"type": "rate_limit_error",
"code": "rate_limit_exceeded",
"message": "Too many requests. Please try again later."
}
}`,
  },
  {
    where: 'List Knowledge Entries (response)',
    against: { response: 'GET /v1/knowledge', status: '200' },
    printed: `{
"object": "list",
"data": [
{
"id": "kb_abc123",
"question": "What are your business hours?",
"answer": "We are open Monday-Friday 9 AM to 6 PM EST.",
"tags": ["hours", "general"],
"created_at": "2024-03-15T10:30:00Z",
"updated_at": "2024-03-15T10:30:00Z"
}
],
"has_more": false
}`,
  },
  {
    where: 'Create Knowledge Entry (request)',
    against: { request: 'POST /v1/knowledge' },
    printed: `{
"question": "What payment methods do you accept?",
"answer": "We accept all major credit cards, PayPal, and bank transfers.",
"tags": ["payment", "general"]
}`,
  },
  {
    where: 'Create Knowledge Entry (response)',
    against: { response: 'POST /v1/knowledge', status: '200' },
    printed: `{
"id": "kb_def456",
"question": "What payment methods do you accept?",
"answer": "We accept all major credit cards, PayPal, and bank transfers.",
"tags": ["payment", "general"],
"created_at": "2024-03-15T11:00:00Z",
"updated_at": "2024-03-15T11:00:00Z"
}`,
  },
  {
    where: 'Update Knowledge Entry (request)',
    against: { request: 'PATCH /v1/knowledge/{id}' },
    printed: `{
"answer": "We are open Monday-Friday 9 AM to 7 PM EST, and Saturday 10 AM to 4 PM EST."
}`,
  },
  {
    where: 'Delete Knowledge Entry (response)',
    against: { response: 'DELETE /v1/knowledge/{id}', status: '200' },
    printed: `{
"id": "kb_abc123",
"deleted": true
}`,
  },
  {
    where: 'Bulk Import Knowledge (request)',
    against: { request: 'POST /v1/knowledge/bulk' },
    printed: `{
"entries": [
{
"question": "Do you offer refunds?",
"answer": "Yes, we offer full refunds within 30 days of purchase.",
"tags": ["refunds", "policy"]
},
{
"question": "How long does shipping take?",
"answer": "Standard shipping takes 5-7 business days.",
"tags": ["shipping", "delivery"]
}
]
}`,
  },
  {
    where: 'Bulk Import Knowledge (response)',
    against: { response: 'POST /v1/knowledge/bulk', status: '200' },
    printed: `{
"imported": 2,
"failed": 0,
"entries": [
{
"id": "kb_ghi789",
"question": "Do you offer refunds?",
"status": "created"
},
{
"id": "kb_jkl012",
"question": "How long does shipping take?",
"status": "created"
}
]
}`,
  },

  { where: 'Handling Rate Limits (JavaScript fetch body)', against: { request: SEND }, value: appointmentReminder },
  { where: 'SDKs: JavaScript, send without parameters', against: { request: SEND }, value: appointmentReminder },
  { where: 'SDKs: JavaScript, send with parameters', against: { request: SEND }, value: appointmentConfirmation },
  { where: 'SDKs: Python, send_template without parameters', against: { request: SEND }, value: appointmentReminder },
  { where: 'SDKs: Python, send_template with parameters', against: { request: SEND }, value: appointmentConfirmation },
  {
    where: 'Examples: Send Appointment Reminder',
    against: { request: SEND },
    value: {
      ...appointmentReminder,
      template_parameters: [
        { type: 'text', text: 'Dr. Smith' },
        { type: 'text', text: 'tomorrow at 2:00 PM' },
      ],
    },
  },
  {
    where: 'Examples: Send Promotional Message',
    against: { request: SEND },
    value: {
      to: '+1234567890',
      template_name: 'special_offer',
      template_language: 'en_US',
      template_parameters: [
        { type: 'image', image: { link: 'https://yoursite.com/promo.jpg' } },
        { type: 'text', text: '20% off' },
        { type: 'text', text: 'PROMO20' },
      ],
    },
  },
  ...['+1234567890', '+1987654321', '+1555555555'].map(
    (to): DocumentSample => ({
      where: `Examples: Bulk Send Templates (${to.slice(0, 5)}…)`,
      against: { request: SEND },
      value: { to, template_name: 'newsletter', template_language: 'en_US' },
    }),
  ),
  {
    where: 'List Knowledge Entries: ?limit=50',
    against: { parameter: 'GET /v1/knowledge', in: 'query', name: 'limit' },
    printed: '50',
    format: 'integer',
  },
  {
    where: 'Update Knowledge Entry: /v1/knowledge/kb_abc123',
    against: { parameter: 'PATCH /v1/knowledge/{id}', in: 'path', name: 'id' },
    printed: 'kb_abc123',
    format: 'text',
  },
  ...(
    [
      ['X-RateLimit-Limit', '10000'],
      ['X-RateLimit-Remaining', '9850'],
      ['X-RateLimit-Reset', '1640995200'],
    ] as const
  ).map(
    ([name, printed]): DocumentSample => ({
      where: `Rate Limits: Headers, ${name}: ${printed}`,
      against: { responseHeader: SEND, status: '200', name },
      printed,
      format: 'integer',
    }),
  ),
];
