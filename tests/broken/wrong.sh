# What the wrong shell programs in tests/broken/<lab>/ share. A program
# sources it from the folder above its own:
#
#     . "${0%/*}/../wrong.sh"
#
# and the grader runs it as `sh FILE ARGS...` (so $0 is the file's path).

# arg VAR NAME DEFAULT "$@": set VAR to the word after NAME among the
# program's arguments, else to DEFAULT (in this shell: no subshell, no
# extra process for the grader to see).
arg() {
    _var=$1 _name=$2 _value=$3
    shift 3
    while [ $# -gt 0 ]; do
        [ "$1" = "$_name" ] && _value=$2
        shift
    done
    eval "$_var=\$_value"
}
