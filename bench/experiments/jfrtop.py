# jfrtop.py FILE.jfr [TOP] [INCLUSIVE]: top frames and inclusive frames of the execution samples of a JFR recording.
import re,collections,sys,subprocess
txt=subprocess.run(['jfr','print','--stack-depth','40','--events','jdk.ExecutionSample',sys.argv[1]],capture_output=True,text=True).stdout
events=txt.split('jdk.ExecutionSample')[1:]
top=collections.Counter(); incl=collections.Counter(); threads=collections.Counter()
for e in events:
    frames=[f.split('(')[0] for f in re.findall(r'^\s+([\w\.$<>]+\([^)]*\))\s+line:',e,re.M)]
    th=re.search(r'sampledThread = "([^"]*)"',e)
    if th: threads[re.sub(r'\d+$','N',th.group(1))]+=1
    if not frames: continue
    top[frames[0]]+=1
    for f in set(frames): incl[f]+=1
n=len(events)
print('samples',n)
print('threads',threads.most_common(8))
for f,c in top.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 15): print('%5d %5.1f%% %s'%(c,100*c/n,f))
print('--- inclusive')
for f,c in incl.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 30): print('%5d %5.1f%% %s'%(c,100*c/n,f))
