# cmake -DMODE=fuzz|regress -DFUZZER=bin -DSRC=tests/fuzz/<target>
#     -DWORK=<build>/tests/fuzz/<target> [-DSECONDS=15] -P run-fuzzer.cmake
#
# fuzz:    copy SRC/corpus/ into WORK/corpus/ (the source tree is never
#          written to; what the fuzzer finds stays in the build directory)
#          and fuzz for SECONDS.  Crashers land in WORK/crashes/.
# regress: run FUZZER on every file in SRC/regress/ but README and .keep,
#          and on every seed in SRC/corpus/; fails on the first input
#          that crashes, and when there is nothing to replay.
foreach(v MODE FUZZER SRC WORK)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "run-fuzzer.cmake: ${v} is not set")
	endif()
endforeach()

if(MODE STREQUAL "fuzz")
	if(NOT DEFINED SECONDS)
		set(SECONDS 15)
	endif()
	file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/crashes)
	file(GLOB seeds ${SRC}/corpus/*)
	if(seeds)
		file(COPY ${seeds} DESTINATION ${WORK}/corpus)
	endif()
	execute_process(
	    COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10
	        -rss_limit_mb=2048 -print_final_stats=1
	        -artifact_prefix=${WORK}/crashes/ ${WORK}/corpus
	    WORKING_DIRECTORY ${WORK}
	    RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "${FUZZER} failed (${rc}); the input is in "
		    "${WORK}/crashes/: copy it to ${SRC}/regress/")
	endif()
elseif(MODE STREQUAL "regress")
	# The crashers kept in regress/, and the seed corpus with them: a
	# target with no crasher yet still replays something, and a run that
	# finds nothing at all to replay fails rather than passing unchecked.
	file(GLOB kept LIST_DIRECTORIES false ${SRC}/regress/*)
	list(FILTER kept EXCLUDE REGEX "/(README[^/]*|\\.keep)$")
	file(GLOB seeds LIST_DIRECTORIES false ${SRC}/corpus/*)
	list(LENGTH kept nkept)
	list(LENGTH seeds nseeds)
	set(inputs ${kept} ${seeds})
	if(NOT inputs)
		message(FATAL_ERROR "${SRC}: nothing to replay (no file in "
		    "regress/ or corpus/)")
	endif()
	message(STATUS "replaying ${nkept} file(s) from ${SRC}/regress/ and "
	    "${nseeds} from ${SRC}/corpus/")
	file(MAKE_DIRECTORY ${WORK})
	# one input per run: libFuzzer stops at the first crash, and every
	# file must be seen to pass
	foreach(input ${inputs})
		execute_process(COMMAND ${FUZZER} ${input}
		    WORKING_DIRECTORY ${WORK}
		    RESULT_VARIABLE rc
		    OUTPUT_VARIABLE out
		    ERROR_VARIABLE out)
		if(NOT rc EQUAL 0)
			message("${out}")
			message(FATAL_ERROR "${FUZZER} failed (${rc}) on ${input}")
		endif()
		# libFuzzer says "Executed FILE"; anything else ran nothing
		if(NOT out MATCHES "Executed ")
			message(FATAL_ERROR "${FUZZER} did not run ${input}")
		endif()
	endforeach()
else()
	message(FATAL_ERROR "run-fuzzer.cmake: MODE must be fuzz or regress")
endif()
