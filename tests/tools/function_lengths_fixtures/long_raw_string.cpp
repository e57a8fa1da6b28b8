// Fixture of the function_lengths self-test: braces in a long raw string, comments and
// literals are not code, and a short function after them is measured as it is.

/* a comment that looks like code: int commented(int x) {
   and never closes the brace */
#define OPEN_BLOCK(x) \
    {                 \
        x;

const char* const kHelp = R"help(usage: tool {
  line 1: int f() { "quoted" )" ( { 
  line 2: int f() { "quoted" )" ( { 
  line 3: int f() { "quoted" )" ( { 
  line 4: int f() { "quoted" )" ( { 
  line 5: int f() { "quoted" )" ( { 
  line 6: int f() { "quoted" )" ( { 
  line 7: int f() { "quoted" )" ( { 
  line 8: int f() { "quoted" )" ( { 
  line 9: int f() { "quoted" )" ( { 
  line 10: int f() { "quoted" )" ( { 
  line 11: int f() { "quoted" )" ( { 
  line 12: int f() { "quoted" )" ( { 
  line 13: int f() { "quoted" )" ( { 
  line 14: int f() { "quoted" )" ( { 
  line 15: int f() { "quoted" )" ( { 
  line 16: int f() { "quoted" )" ( { 
  line 17: int f() { "quoted" )" ( { 
  line 18: int f() { "quoted" )" ( { 
  line 19: int f() { "quoted" )" ( { 
  line 20: int f() { "quoted" )" ( { 
  line 21: int f() { "quoted" )" ( { 
  line 22: int f() { "quoted" )" ( { 
  line 23: int f() { "quoted" )" ( { 
  line 24: int f() { "quoted" )" ( { 
  line 25: int f() { "quoted" )" ( { 
  line 26: int f() { "quoted" )" ( { 
  line 27: int f() { "quoted" )" ( { 
  line 28: int f() { "quoted" )" ( { 
  line 29: int f() { "quoted" )" ( { 
  line 30: int f() { "quoted" )" ( { 
  line 31: int f() { "quoted" )" ( { 
  line 32: int f() { "quoted" )" ( { 
  line 33: int f() { "quoted" )" ( { 
  line 34: int f() { "quoted" )" ( { 
  line 35: int f() { "quoted" )" ( { 
  line 36: int f() { "quoted" )" ( { 
  line 37: int f() { "quoted" )" ( { 
  line 38: int f() { "quoted" )" ( { 
  line 39: int f() { "quoted" )" ( { 
  line 40: int f() { "quoted" )" ( { 
  line 41: int f() { "quoted" )" ( { 
  line 42: int f() { "quoted" )" ( { 
  line 43: int f() { "quoted" )" ( { 
  line 44: int f() { "quoted" )" ( { 
  line 45: int f() { "quoted" )" ( { 
  line 46: int f() { "quoted" )" ( { 
  line 47: int f() { "quoted" )" ( { 
  line 48: int f() { "quoted" )" ( { 
  line 49: int f() { "quoted" )" ( { 
  line 50: int f() { "quoted" )" ( { 
  line 51: int f() { "quoted" )" ( { 
  line 52: int f() { "quoted" )" ( { 
  line 53: int f() { "quoted" )" ( { 
  line 54: int f() { "quoted" )" ( { 
  line 55: int f() { "quoted" )" ( { 
  line 56: int f() { "quoted" )" ( { 
  line 57: int f() { "quoted" )" ( { 
  line 58: int f() { "quoted" )" ( { 
  line 59: int f() { "quoted" )" ( { 
  line 60: int f() { "quoted" )" ( { 
  line 61: int f() { "quoted" )" ( { 
  line 62: int f() { "quoted" )" ( { 
  line 63: int f() { "quoted" )" ( { 
  line 64: int f() { "quoted" )" ( { 
  line 65: int f() { "quoted" )" ( { 
  line 66: int f() { "quoted" )" ( { 
  line 67: int f() { "quoted" )" ( { 
  line 68: int f() { "quoted" )" ( { 
  line 69: int f() { "quoted" )" ( { 
  line 70: int f() { "quoted" )" ( { 
  line 71: int f() { "quoted" )" ( { 
  line 72: int f() { "quoted" )" ( { 
  line 73: int f() { "quoted" )" ( { 
  line 74: int f() { "quoted" )" ( { 
  line 75: int f() { "quoted" )" ( { 
  line 76: int f() { "quoted" )" ( { 
  line 77: int f() { "quoted" )" ( { 
  line 78: int f() { "quoted" )" ( { 
  line 79: int f() { "quoted" )" ( { 
  line 80: int f() { "quoted" )" ( { 
  line 81: int f() { "quoted" )" ( { 
  line 82: int f() { "quoted" )" ( { 
  line 83: int f() { "quoted" )" ( { 
  line 84: int f() { "quoted" )" ( { 
  line 85: int f() { "quoted" )" ( { 
  line 86: int f() { "quoted" )" ( { 
  line 87: int f() { "quoted" )" ( { 
  line 88: int f() { "quoted" )" ( { 
  line 89: int f() { "quoted" )" ( { 
  line 90: int f() { "quoted" )" ( { 
  line 91: int f() { "quoted" )" ( { 
  line 92: int f() { "quoted" )" ( { 
  line 93: int f() { "quoted" )" ( { 
  line 94: int f() { "quoted" )" ( { 
  line 95: int f() { "quoted" )" ( { 
  line 96: int f() { "quoted" )" ( { 
  line 97: int f() { "quoted" )" ( { 
  line 98: int f() { "quoted" )" ( { 
  line 99: int f() { "quoted" )" ( { 
  line 100: int f() { "quoted" )" ( { 
  line 101: int f() { "quoted" )" ( { 
  line 102: int f() { "quoted" )" ( { 
  line 103: int f() { "quoted" )" ( { 
  line 104: int f() { "quoted" )" ( { 
  line 105: int f() { "quoted" )" ( { 
  line 106: int f() { "quoted" )" ( { 
  line 107: int f() { "quoted" )" ( { 
  line 108: int f() { "quoted" )" ( { 
  line 109: int f() { "quoted" )" ( { 
  line 110: int f() { "quoted" )" ( { 
  line 111: int f() { "quoted" )" ( { 
  line 112: int f() { "quoted" )" ( { 
  line 113: int f() { "quoted" )" ( { 
  line 114: int f() { "quoted" )" ( { 
  line 115: int f() { "quoted" )" ( { 
  line 116: int f() { "quoted" )" ( { 
  line 117: int f() { "quoted" )" ( { 
  line 118: int f() { "quoted" )" ( { 
  line 119: int f() { "quoted" )" ( { 
  line 120: int f() { "quoted" )" ( { 
  line 121: int f() { "quoted" )" ( { 
  line 122: int f() { "quoted" )" ( { 
  line 123: int f() { "quoted" )" ( { 
  line 124: int f() { "quoted" )" ( { 
  line 125: int f() { "quoted" )" ( { 
  line 126: int f() { "quoted" )" ( { 
  line 127: int f() { "quoted" )" ( { 
  line 128: int f() { "quoted" )" ( { 
  line 129: int f() { "quoted" )" ( { 
  line 130: int f() { "quoted" )" ( { 
  line 131: int f() { "quoted" )" ( { 
  line 132: int f() { "quoted" )" ( { 
  line 133: int f() { "quoted" )" ( { 
  line 134: int f() { "quoted" )" ( { 
  line 135: int f() { "quoted" )" ( { 
  line 136: int f() { "quoted" )" ( { 
  line 137: int f() { "quoted" )" ( { 
  line 138: int f() { "quoted" )" ( { 
  line 139: int f() { "quoted" )" ( { 
  line 140: int f() { "quoted" )" ( { 
  line 141: int f() { "quoted" )" ( { 
  line 142: int f() { "quoted" )" ( { 
  line 143: int f() { "quoted" )" ( { 
  line 144: int f() { "quoted" )" ( { 
  line 145: int f() { "quoted" )" ( { 
  line 146: int f() { "quoted" )" ( { 
  line 147: int f() { "quoted" )" ( { 
  line 148: int f() { "quoted" )" ( { 
  line 149: int f() { "quoted" )" ( { 
  line 150: int f() { "quoted" )" ( { 
)help";

const char kBrace = '{';
const char kQuote = '\'';
const char* const kEscaped = "\"{ // not a comment";
const long kMillion = 1'000'000;

int short_after_literals(int x) {  // a comment with a brace {
    return x + kMillion + kBrace + kQuote + kEscaped[0];
}
