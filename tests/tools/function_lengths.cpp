// function_lengths: fails when a function in the given source trees is longer than the
// limit, listing each as "file:line name: N lines (limit L)".
//
//   function_lengths [--limit L] [--root DIR] PATH...
//
// PATHs (files or folders, searched for .hpp, .cpp and .h) are relative to DIR and printed
// so. A function's length is counted from the line of its opening brace to the line of its
// closing brace, both included; its line is that of its name. Lambdas and local classes
// count toward the function they are in; class, namespace and enum bodies and brace
// initializers are not functions, the member functions in a class are.
//
// The scan needs no compiler: comments, string and character literals (raw ones too) and
// preprocessor lines are blanked, and then each '{' outside a function is judged by the
// declaration in front of it. Both branches of an #if are read, so a file whose braces do
// not balance that way is reported rather than measured. --limit 0 lists every function.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// ---- Blanking: the code with every comment, literal and preprocessor line turned into
// spaces, newlines kept, so that braces in them do not count and line numbers stay.

class Blanker {
public:
    explicit Blanker(std::string text) : in_(std::move(text)), out_(in_) {}

    std::string run() {
        bool line_start = true;  // only spaces since the last newline
        while (i_ < in_.size()) {
            const char c = in_[i_];
            if (c == '\n') {
                line_start = true;
                ++i_;
            } else if (line_start && c == '#') {
                skip_directive();
            } else {
                if (!std::isspace(static_cast<unsigned char>(c))) line_start = false;
                step(c);
            }
        }
        return out_;
    }

private:
    void step(char c) {
        const char next = i_ + 1 < in_.size() ? in_[i_ + 1] : '\0';
        if (c == '/' && next == '/')
            blank_to(in_.find('\n', i_));
        else if (c == '/' && next == '*')
            blank_to(end_after(in_.find("*/", i_ + 2), 2));
        else if (c == '"')
            skip_string();
        else if (c == '\'' && !is_digit_separator())
            skip_quoted('\'');
        else
            ++i_;
    }

    std::size_t end_after(std::size_t found, std::size_t length) const {
        return found == std::string::npos ? in_.size() : found + length;
    }

    void blank_to(std::size_t end) {
        end = std::min(end, in_.size());
        for (; i_ < end; ++i_)
            if (out_[i_] != '\n') out_[i_] = ' ';
    }

    // A directive runs to the end of its line, and on over lines ending in a backslash.
    void skip_directive() {
        std::size_t end = i_;
        while (end < in_.size() && in_[end] != '\n') {
            const bool continued = in_[end] == '\\' && (in_.compare(end + 1, 1, "\n") == 0 || in_.compare(end + 1, 2, "\r\n") == 0);
            end += continued ? (in_[end + 1] == '\r' ? 3 : 2) : 1;
        }
        blank_to(end);
    }

    // 1'000'000: a quote inside a number separates digits.
    bool is_digit_separator() const {
        std::size_t start = i_;
        while (start > 0 && (is_word_char(in_[start - 1]) || in_[start - 1] == '.')) --start;
        return start < i_ && std::isdigit(static_cast<unsigned char>(in_[start]));
    }

    std::string prefix_before_quote() const {
        std::size_t start = i_;
        while (start > 0 && is_word_char(in_[start - 1])) --start;
        return in_.substr(start, i_ - start);
    }

    void skip_string() {
        const std::string prefix = prefix_before_quote();
        if (prefix == "R" || prefix == "u8R" || prefix == "uR" || prefix == "UR" || prefix == "LR")
            skip_raw_string(prefix.size());
        else
            skip_quoted('"');
    }

    // R"delimiter( ... )delimiter"
    void skip_raw_string(std::size_t prefix_length) {
        const std::size_t open = in_.find('(', i_);
        if (open == std::string::npos) return blank_to(in_.size());
        const std::string close = ")" + in_.substr(i_ + 1, open - i_ - 1) + "\"";
        i_ -= prefix_length;
        blank_to(end_after(in_.find(close, open + 1), close.size()));
    }

    void skip_quoted(char quote) {
        std::size_t end = i_ + 1;
        while (end < in_.size() && in_[end] != quote && in_[end] != '\n') end += in_[end] == '\\' ? 2 : 1;
        blank_to(end + 1);
    }

    const std::string in_;
    std::string out_;
    std::size_t i_ = 0;
};

// ---- Tokens of the blanked code: words, "::", "->" and single punctuation characters.

struct Token {
    std::string text;
    int line;
};

std::vector<Token> tokenize(const std::string& code) {
    std::vector<Token> tokens;
    int line = 1;
    for (std::size_t i = 0; i < code.size();) {
        const char c = code[i];
        if (c == '\n') ++line;
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        if (is_word_char(c))
            while (end < code.size() && is_word_char(code[end])) ++end;
        else if ((c == ':' && code.compare(i, 2, "::") == 0) || (c == '-' && code.compare(i, 2, "->") == 0))
            end = i + 2;
        tokens.push_back({code.substr(i, end - i), line});
        i = end;
    }
    return tokens;
}

bool is_word(const Token& t) { return is_word_char(t.text[0]) && !std::isdigit(static_cast<unsigned char>(t.text[0])); }

// ---- Judging a '{' outside any function by the tokens of the declaration before it.

using Tokens = std::vector<Token>;

// The index of the bracket that closes (forward) or opens (backward) the group at `i`.
std::size_t matching(const Tokens& t, std::size_t i, std::size_t limit) {
    const std::string open = t[i].text == ")" || t[i].text == "(" ? "(" : t[i].text == "]" || t[i].text == "[" ? "[" : "{";
    const std::string close = open == "(" ? ")" : open == "[" ? "]" : "}";
    const bool forward = t[i].text == open;
    int depth = 0;
    for (std::size_t k = i;; forward ? ++k : --k) {
        if (t[k].text == open) depth += forward ? 1 : -1;
        if (t[k].text == close) depth += forward ? -1 : 1;
        if (depth == 0 || k == limit) return k;
    }
}

bool is_opening(const Token& t) { return t.text == "(" || t.text == "[" || t.text == "{"; }

// After a parameter list's ')': qualifiers, then the body, a trailing return type or a
// constructor's initializer list. An initializer list is complete before the body: a
// word just before the '{' names a member initialized with braces, as in ": a_(x), b_{y}".
bool ends_parameter_list(const Tokens& t, std::size_t close, std::size_t end) {
    std::size_t k = close + 1;
    while (k < end) {
        const std::string& s = t[k].text;
        if (s == "const" || s == "volatile" || s == "override" || s == "final" || s == "mutable" || s == "&" || s == "try") {
            ++k;
        } else if (s == "noexcept" || s == "throw" || s == "__attribute__") {
            ++k;
            if (k < end && t[k].text == "(") k = matching(t, k, end - 1) + 1;
        } else {
            return s == "->" || (s == ":" && (t[end - 1].text == ")" || t[end - 1].text == "}"));
        }
    }
    return true;
}

struct Judgement {
    bool function = false, lambda = false;
    std::string name;  // of a function, or of a class
    int line = 0;      // of the name
};

// "name", "Class::name", "Class::~Class" or "operator==": what stands before the parameter list.
std::string qualified_name_before(const Tokens& t, std::size_t begin, std::size_t open) {
    std::size_t first = open;
    if (first > begin && is_word(t[first - 1])) --first;
    if (first > begin && (t[first - 1].text == "~" || t[first - 1].text == "operator")) --first;  // "operator bool"
    while (first > begin + 1 && t[first - 1].text == "::" && is_word(t[first - 2])) first -= 2;
    if (first == open) {  // an operator: from the keyword to the parameter list
        while (first > begin && t[first - 1].text != "operator") --first;
        if (first > begin) --first;
    }
    std::string name;
    for (std::size_t k = first; k < open; ++k)
        name += (k > first && is_word(t[k]) && is_word(t[k - 1]) ? " " : "") + t[k].text;
    return name;
}

// A lambda is named after the variable it is assigned to, if any.
Judgement lambda_at(const Tokens& t, std::size_t begin, std::size_t capture) {
    const bool assigned = capture > begin + 1 && t[capture - 1].text == "=" && is_word(t[capture - 2]);
    return {true, true, assigned ? t[capture - 2].text + " (lambda)" : "lambda", t[capture].line};
}

Judgement judge_lambda_without_parameters(const Tokens& t, std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
        if (t[k].text == "[" && (k == begin || t[k - 1].text == "=") && k + 1 < end && t[k + 1].text != "[")
            return lambda_at(t, begin, k);
        if (is_opening(t[k])) k = matching(t, k, end - 1);
    }
    return {};
}

// The name of the class a declaration defines ("" if none): the word after the first
// class key outside template arguments.
std::string class_name(const Tokens& t, std::size_t begin, std::size_t end) {
    int angles = 0;
    for (std::size_t k = begin; k + 1 < end; ++k) {
        const std::string& s = t[k].text;
        angles += s == "<" ? 1 : s == ">" && angles > 0 ? -1 : 0;
        if (angles == 0 && (s == "class" || s == "struct" || s == "union") && is_word(t[k + 1]) && t[k + 1].text != "final")
            return t[k + 1].text;
        if (is_opening(t[k])) k = matching(t, k, end - 1);
    }
    return "";
}

// `inside_call`: the '{' is in parentheses, where only a lambda can open a function.
Judgement judge(const Tokens& t, std::size_t begin, std::size_t end, bool inside_call) {
    for (std::size_t k = begin; k < end; ++k) {
        if (t[k].text == "(") {
            const std::size_t close = matching(t, k, end - 1);
            if (t[close].text == ")" && ends_parameter_list(t, close, end)) {
                const std::size_t capture = k > begin && t[k - 1].text == "]" ? matching(t, k - 1, begin) : k;
                if (capture < k && (capture == begin || t[capture - 1].text != "operator")) return lambda_at(t, begin, capture);
                if (!inside_call) return {true, false, qualified_name_before(t, begin, k), t[k > begin ? k - 1 : k].line};
            }
            k = close;
        } else if (is_opening(t[k])) {
            k = matching(t, k, end - 1);
        }
    }
    if (Judgement lambda = judge_lambda_without_parameters(t, begin, end); lambda.function) return lambda;
    return {false, false, class_name(t, begin, end), 0};
}

// ---- The scan: a stack of the bodies the scan is in, below the function it is in, if any.

struct Function {
    int line;
    std::string name;
    int lines;
};

struct Body {
    std::size_t head;        // first token of the declaration being read in this body
    bool initializer;        // a brace initializer: its elements are separated by ','
    std::string class_name;  // empty but for a class body
};

class Scanner {
public:
    explicit Scanner(Tokens tokens) : t_(std::move(tokens)) { bodies_.push_back({0, false, ""}); }

    // False when the braces do not balance (e.g. a '{' in both branches of an #if).
    bool run() {
        for (std::size_t i = 0; i < t_.size(); ++i) {
            if (depth_in_function_ > 0)
                step_in_function(i);
            else
                step_outside_function(i);
        }
        return depth_in_function_ == 0 && bodies_.size() == 1 && balanced_;
    }

    const std::vector<Function>& functions() const { return functions_; }

private:
    void step_in_function(std::size_t i) {
        if (t_[i].text == "{") ++depth_in_function_;
        if (t_[i].text != "}" || --depth_in_function_ > 0) return;
        functions_.push_back({function_.line, function_.name, t_[i].line - open_line_ + 1});
        // A lambda is part of a declaration (an initializer, an argument), a function is one.
        if (!function_is_lambda_) bodies_.back().head = i + 1;
    }

    void step_outside_function(std::size_t i) {
        Body& body = bodies_.back();
        const std::string& s = t_[i].text;
        if (s == ";" || (s == "," && body.initializer && open_parentheses(body.head, i) == 0)) body.head = i + 1;
        if (s == "{") open(i);
        if (s == "}") close();
    }

    int open_parentheses(std::size_t begin, std::size_t end) const {
        int depth = 0;
        for (std::size_t k = begin; k < end; ++k) depth += t_[k].text == "(" ? 1 : t_[k].text == ")" ? -1 : 0;
        return depth;
    }

    // Inside parentheses, the declaration is read from the innermost open '(' or ','.
    std::size_t innermost_start(std::size_t begin, std::size_t end) const {
        std::vector<std::size_t> starts{begin};
        for (std::size_t k = begin; k < end; ++k) {
            const std::string& s = t_[k].text;
            if (s == "(") starts.push_back(k + 1);
            if (s == ")" && starts.size() > 1) starts.pop_back();
            if (s == "," && starts.size() > 1) starts.back() = k + 1;
            if (s == "{" || s == "[") k = matching(t_, k, end - 1);
        }
        return starts.back();
    }

    void open(std::size_t i) {
        const Body& body = bodies_.back();
        const bool inside_call = open_parentheses(body.head, i) > 0;
        const std::size_t begin = inside_call ? innermost_start(body.head, i) : body.head;
        const Judgement j = judge(t_, begin, i, inside_call);
        if (j.function) {
            function_ = {j.line, enclosing_classes() + j.name, 0};
            function_is_lambda_ = j.lambda;
            open_line_ = t_[i].line;
            depth_in_function_ = 1;
            return;
        }
        const bool initializer = inside_call || body.initializer || (j.name.empty() && !names_a_block(begin, i));
        bodies_.push_back({i + 1, initializer, initializer ? "" : j.name});
    }

    // A namespace, a linkage block, an enumeration, an unnamed struct or union (a named class
    // is found by class_name).
    bool names_a_block(std::size_t begin, std::size_t end) const {
        for (std::size_t k = begin; k < end; ++k) {
            const std::string& s = t_[k].text;
            if (s == "namespace" || s == "extern" || s == "enum" || s == "struct" || s == "union") return true;
            if (is_opening(t_[k])) k = matching(t_, k, end - 1);
        }
        return false;
    }

    // A closed class, namespace or initializer stays part of the declaration around it.
    void close() {
        if (bodies_.size() == 1) {
            balanced_ = false;
            return;
        }
        bodies_.pop_back();
    }

    std::string enclosing_classes() const {
        std::string prefix;
        for (const Body& b : bodies_)
            if (!b.class_name.empty()) prefix += b.class_name + "::";
        return prefix;
    }

    const Tokens t_;
    std::vector<Body> bodies_;
    Function function_{};
    int open_line_ = 0, depth_in_function_ = 0;
    bool function_is_lambda_ = false, balanced_ = true;
    std::vector<Function> functions_;
};

// ---- Files and the report.

bool is_source(const fs::path& p) {
    const std::string e = p.extension().string();
    return e == ".hpp" || e == ".cpp" || e == ".h";
}

std::vector<std::string> sources_under(const fs::path& root, const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const std::string& path : paths) {
        const fs::path full = root / path;
        if (fs::is_regular_file(full)) files.push_back(path);
        if (!fs::is_directory(full)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(full))
            if (entry.is_regular_file() && is_source(entry.path()))
                files.push_back(entry.path().lexically_relative(root).generic_string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Prints the problems of one file; returns their number.
int check_file(const fs::path& root, const std::string& file, int limit) {
    Scanner scanner(tokenize(Blanker(read_file(root / file)).run()));
    if (!scanner.run()) {
        std::cout << file << ": its braces do not balance outside comments and literals; cannot measure its functions\n";
        return 1;
    }
    int problems = 0;
    for (const Function& f : scanner.functions()) {
        if (f.lines <= limit) continue;
        std::cout << file << ":" << f.line << " " << f.name << ": " << f.lines << " lines (limit " << limit << ")\n";
        ++problems;
    }
    return problems;
}

}  // namespace

int main(int argc, char** argv) {
    int limit = 100;
    fs::path root = fs::current_path();
    std::vector<std::string> paths;
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        if (arg == "--limit" && a + 1 < argc)
            limit = std::atoi(argv[++a]);
        else if (arg == "--root" && a + 1 < argc)
            root = argv[++a];
        else
            paths.push_back(arg);
    }
    if (paths.empty()) {
        std::cerr << "usage: function_lengths [--limit L] [--root DIR] PATH...\n";
        return 2;
    }
    for (const std::string& path : paths) {
        if (!fs::exists(root / path)) {
            std::cerr << "function_lengths: " << (root / path).string() << ": no such file or folder\n";
            return 2;
        }
    }
    int problems = 0;
    for (const std::string& file : sources_under(root, paths)) problems += check_file(root, file, limit);
    if (problems > 0) std::cout << problems << " function(s) over " << limit << " lines\n";
    return problems > 0 ? 1 : 0;
}
