/**
 * The model was trained to end every answer with "\n </s>" (`answer_suffix_in_training`), so a complete
 * answer decodes to "…\n " before `</s>`. This removes that tail, any `</s>` left as literal text by a
 * decoder that kept special tokens, and surrounding whitespace.
 */
export function cleanAnswer(text: string): string {
  return text.replace(/(?:\s|<\/s>)+$/u, '').replace(/^\s+/u, '');
}
