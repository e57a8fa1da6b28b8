// Fixture of the function_lengths self-test: a class of 200 lines whose members are all
// short is not a long function.
#pragma once

template <class T, class = void>
class Table final {
public:
    Table() : size_(0), cells_{} {}
    explicit Table(int n) : size_(n), cells_{n, n} { grow(n); }
    bool operator==(const Table& o) const { return size_ == o.size_; }
    int operator[](int i) const { return cells_[i]; }
    int operator()(int i, int j) const { return cells_[i] + cells_[j]; }
    int size() const noexcept { return size_; }
    explicit operator bool() const && { return size_ > 0; }
    auto twice() const -> int { return 2 * size_; }

    enum class Kind { Small, Large };
    struct Cell {
        int value = 0;
        bool empty() const { return value == 0; }
    };

    int member_1(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 1;
    }
    int member_2(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 2;
    }
    int member_3(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 3;
    }
    int member_4(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 4;
    }
    int member_5(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 5;
    }
    int member_6(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 6;
    }
    int member_7(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 7;
    }
    int member_8(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 8;
    }
    int member_9(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 9;
    }
    int member_10(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 10;
    }
    int member_11(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 11;
    }
    int member_12(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 12;
    }
    int member_13(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 13;
    }
    int member_14(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 14;
    }
    int member_15(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 15;
    }
    int member_16(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 16;
    }
    int member_17(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 17;
    }
    int member_18(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 18;
    }
    int member_19(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 19;
    }
    int member_20(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 20;
    }
    int member_21(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 21;
    }
    int member_22(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 22;
    }
    int member_23(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 23;
    }
    int member_24(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 24;
    }
    int member_25(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 25;
    }
    int member_26(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 26;
    }
    int member_27(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 27;
    }
    int member_28(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 28;
    }
    int member_29(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 29;
    }
    int member_30(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 30;
    }
    int member_31(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 31;
    }
    int member_32(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 32;
    }
    int member_33(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 33;
    }
    int member_34(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 34;
    }
    int member_35(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 35;
    }
    int member_36(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 36;
    }
    int member_37(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 37;
    }
    int member_38(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 38;
    }
    int member_39(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 39;
    }
    int member_40(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 40;
    }
    int member_41(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 41;
    }
    int member_42(int x) const {
        const auto add = [this](int y) { return y + size_; };
        return add(x) + 42;
    }

private:
    void grow(int n) {
        for (int i = 0; i < n; ++i) {
            if (i > 1) cells_[0] += i;
        }
    }
    int size_ = 0;
    int cells_[2]{0, 0};
};
