# bash completion for apfsinspect (installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/apfsinspect).  The commands and
# each command's options come from the program itself (--list-options), so
# they are always the ones this build accepts.

_apfsinspect() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]}

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$("$bin" --list-options 2>/dev/null) --help --version --list-options" -- "$cur"))
		return
	fi
	if [ "$cmd" = --list-options ]; then
		COMPREPLY=($(compgen -W "$("$bin" --list-options 2>/dev/null)" -- "$cur"))
		return
	fi
	case $prev in
	--log | --manifest | --passphrase-file | --potfile | --image-passphrase-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--format)
		if [ "$cmd" = hashes ]; then
			COMPREPLY=($(compgen -W "hashcat hashcat-user john" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "raw split e01 vmdk vhd qcow2 sparseimage udif sparsebundle" -- "$cur"))
		fi
		return ;;
	--image-format)
		COMPREPLY=($(compgen -W "raw split e01 vmdk vhd qcow2 sparseimage udif sparsebundle" -- "$cur"))
		return ;;
	--volume)
		COMPREPLY=($(compgen -W "Data System Preboot Recovery VM group" -- "$cur"))
		return ;;
	--passphrase | --recovery-key | --vek | --image-passphrase | --user | --xid | --offset | \
	--snapshot | --max-file-size | -o)
		return ;;  # a value only the user knows
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$bin" --list-options "$cmd" 2>/dev/null)" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _apfsinspect apfsinspect
